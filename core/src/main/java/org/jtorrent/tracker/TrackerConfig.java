package org.jtorrent.tracker;

import java.time.Duration;

/**
 * Timeouts and limits of the tracker client. Defaults suit the Internet; tests shorten them.
 *
 * @param attemptTimeout  deadline for one announce or scrape to one tracker, connect to last byte;
 *                        past it, the next tracker is tried
 * @param stoppedTimeout  deadline for the {@code stopped} announce at shutdown, which must not delay exit
 * @param udpRetransmit   a UDP request unanswered for this long is sent again (same transaction id)
 *                        within the attempt; BEP 15's first step is 15 s
 * @param retryBase       after n consecutive failures a tracker is skipped for
 *                        {@code retryBase * 2^min(n-1, 8)} (BEP 15's 15 * 2^n schedule)
 * @param minInterval     floor for a tracker's re-announce interval (a zero interval must not make us flood it)
 * @param maxReplyBytes   an HTTP reply larger than this is refused; 4 MiB holds ~700,000 compact peers
 * @param maxRedirects    HTTP redirects followed before giving up
 */
public record TrackerConfig(Duration attemptTimeout, Duration stoppedTimeout, Duration udpRetransmit,
                            Duration retryBase, Duration minInterval, int maxReplyBytes, int maxRedirects) {
    public static final TrackerConfig DEFAULT = new TrackerConfig(Duration.ofSeconds(30), Duration.ofSeconds(2),
            Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(60), 4 << 20, 5);

    public TrackerConfig {
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) throw new IllegalArgumentException("attemptTimeout must be positive");
        if (maxReplyBytes < 1) throw new IllegalArgumentException("maxReplyBytes must be positive");
        if (maxRedirects < 0) throw new IllegalArgumentException("maxRedirects must not be negative");
    }

    public TrackerConfig withAttemptTimeout(Duration timeout) {
        return new TrackerConfig(timeout, stoppedTimeout, udpRetransmit, retryBase, minInterval, maxReplyBytes, maxRedirects);
    }

    public TrackerConfig withRetryBase(Duration base) {
        return new TrackerConfig(attemptTimeout, stoppedTimeout, udpRetransmit, base, minInterval, maxReplyBytes, maxRedirects);
    }

    public TrackerConfig withMinInterval(Duration floor) {
        return new TrackerConfig(attemptTimeout, stoppedTimeout, udpRetransmit, retryBase, floor, maxReplyBytes, maxRedirects);
    }

    public TrackerConfig withMaxReplyBytes(int max) {
        return new TrackerConfig(attemptTimeout, stoppedTimeout, udpRetransmit, retryBase, minInterval, max, maxRedirects);
    }

    public TrackerConfig withUdpRetransmit(Duration every) {
        return new TrackerConfig(attemptTimeout, stoppedTimeout, every, retryBase, minInterval, maxReplyBytes, maxRedirects);
    }
}
