package org.jtorrent.cli;

import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TransferLimits;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Rate limits and upload slots, shared by the commands that move data. */
final class TransferOptions {
    /** The choker's slots for one torrent, as before sessions: {@code TransferLimits.DEFAULT}'s. */
    static final int ONE_TORRENT_SLOTS = TransferLimits.DEFAULT.choker().slots();

    private final Arg<String> maxUploadRate;
    private final Arg<String> maxDownloadRate;
    private final Arg<Integer> uploadSlots;

    /** Adds these options to {@code spec}. */
    TransferOptions(CommandSpec spec) {
        maxUploadRate = Arg.option(spec, String.class, OptionSpec.builder("--max-upload-rate").paramLabel("BYTES/S")
                .defaultValue("0")
                .description("Upload limit in bytes per second (suffixes K, M); 0: none (default)."));
        maxDownloadRate = Arg.option(spec, String.class, OptionSpec.builder("--max-download-rate").paramLabel("BYTES/S")
                .defaultValue("0")
                .description("Download limit in bytes per second (suffixes K, M); 0: none (default)."));
        uploadSlots = Arg.option(spec, Integer.class, OptionSpec.builder("--upload-slots").paramLabel("N")
                .description("Peers we upload to at once over all torrents, one of them the optimistic unchoke (default: "
                        + ONE_TORRENT_SLOTS + "; " + SessionConfig.DEFAULT_UPLOAD_SLOTS + " with several torrents, as libtorrent)."));
    }

    /** The limits of a session running {@code torrents} torrents: the rates and the slots are shared among them. */
    TransferLimits limits(int torrents) {
        Integer given = this.uploadSlots.get();
        int uploadSlots = given != null ? given : torrents > 1 ? SessionConfig.DEFAULT_UPLOAD_SLOTS : ONE_TORRENT_SLOTS;
        if (uploadSlots < 1) throw new IllegalArgumentException("--upload-slots must be at least 1");
        TransferLimits limits = TransferLimits.DEFAULT.withChoker(TransferLimits.DEFAULT.choker().withSlots(uploadSlots));
        long up = Sizes.parse(maxUploadRate.get());
        long down = Sizes.parse(maxDownloadRate.get());
        if (up > 0) limits = limits.withUpload(RateLimiter.of(TokenBucket.perSecond(up)));
        if (down > 0) limits = limits.withDownload(RateLimiter.of(TokenBucket.perSecond(down)));
        return limits;
    }
}
