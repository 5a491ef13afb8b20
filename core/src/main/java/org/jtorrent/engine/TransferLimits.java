package org.jtorrent.engine;

import java.time.Duration;
import org.jtorrent.choke.ChokerConfig;
import org.jtorrent.choke.RateLimiter;

/**
 * Who we upload to and how fast data may move.
 *
 * @param choker   slots and intervals of the tit-for-tat choker
 * @param upload   limits on payload we send (e.g. this torrent's bucket and the session's)
 * @param download limits on payload we receive
 */
public record TransferLimits(ChokerConfig choker, RateLimiter upload, RateLimiter download) {
    public static final TransferLimits DEFAULT = new TransferLimits(ChokerConfig.DEFAULT, RateLimiter.of(), RateLimiter.of());

    public TransferLimits withChoker(ChokerConfig config) {
        return new TransferLimits(config, upload, download);
    }

    public TransferLimits withUpload(RateLimiter limiter) {
        return new TransferLimits(choker, limiter, download);
    }

    public TransferLimits withDownload(RateLimiter limiter) {
        return new TransferLimits(choker, upload, limiter);
    }

    /** Short choke intervals for tests and demos that cannot wait 10 and 30 seconds. */
    public TransferLimits quick() {
        return withChoker(choker.withIntervals(Duration.ofMillis(500), Duration.ofMillis(1500)));
    }
}
