package org.jtorrent.cli;

import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.engine.TransferLimits;
import picocli.CommandLine.Option;

/** Rate limits and upload slots, shared by the commands that move data. */
final class TransferOptions {

    @Option(names = "--max-upload-rate", paramLabel = "BYTES/S", defaultValue = "0",
            description = "Upload limit in bytes per second (suffixes K, M); 0: none (default).")
    String maxUploadRate;

    @Option(names = "--max-download-rate", paramLabel = "BYTES/S", defaultValue = "0",
            description = "Download limit in bytes per second (suffixes K, M); 0: none (default).")
    String maxDownloadRate;

    @Option(names = "--upload-slots", paramLabel = "N", defaultValue = "4",
            description = "Peers we upload to at once, one of them the optimistic unchoke (default: ${DEFAULT-VALUE}).")
    int uploadSlots;

    TransferLimits limits() {
        if (uploadSlots < 1) throw new IllegalArgumentException("--upload-slots must be at least 1");
        TransferLimits limits = TransferLimits.DEFAULT.withChoker(TransferLimits.DEFAULT.choker().withSlots(uploadSlots));
        long up = Sizes.parse(maxUploadRate);
        long down = Sizes.parse(maxDownloadRate);
        if (up > 0) limits = limits.withUpload(RateLimiter.of(TokenBucket.perSecond(up)));
        if (down > 0) limits = limits.withDownload(RateLimiter.of(TokenBucket.perSecond(down)));
        return limits;
    }
}
