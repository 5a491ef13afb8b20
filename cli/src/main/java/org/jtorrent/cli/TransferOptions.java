package org.jtorrent.cli;

import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.engine.TransferLimits;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Rate limits and upload slots, shared by the commands that move data. */
final class TransferOptions {

    private final OptionSpec maxUploadRate;
    private final OptionSpec maxDownloadRate;
    private final OptionSpec uploadSlots;

    /** Adds these options to {@code spec}. */
    TransferOptions(CommandSpec spec) {
        maxUploadRate = Subcommand.option(spec, OptionSpec.builder("--max-upload-rate").paramLabel("BYTES/S")
                .type(String.class).defaultValue("0")
                .description("Upload limit in bytes per second (suffixes K, M); 0: none (default)."));
        maxDownloadRate = Subcommand.option(spec, OptionSpec.builder("--max-download-rate").paramLabel("BYTES/S")
                .type(String.class).defaultValue("0")
                .description("Download limit in bytes per second (suffixes K, M); 0: none (default)."));
        uploadSlots = Subcommand.option(spec, OptionSpec.builder("--upload-slots").paramLabel("N")
                .type(int.class).defaultValue("4")
                .description("Peers we upload to at once, one of them the optimistic unchoke (default: ${DEFAULT-VALUE})."));
    }

    TransferLimits limits() {
        int uploadSlots = this.uploadSlots.getValue();
        if (uploadSlots < 1) throw new IllegalArgumentException("--upload-slots must be at least 1");
        TransferLimits limits = TransferLimits.DEFAULT.withChoker(TransferLimits.DEFAULT.choker().withSlots(uploadSlots));
        long up = Sizes.parse(maxUploadRate.getValue());
        long down = Sizes.parse(maxDownloadRate.getValue());
        if (up > 0) limits = limits.withUpload(RateLimiter.of(TokenBucket.perSecond(up)));
        if (down > 0) limits = limits.withDownload(RateLimiter.of(TokenBucket.perSecond(down)));
        return limits;
    }
}
