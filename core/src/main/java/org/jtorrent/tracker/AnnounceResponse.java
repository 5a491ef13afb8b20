package org.jtorrent.tracker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A tracker's successful answer to an announce. The tracker's numbers are untrusted: both intervals
 * are clamped to {@code [0, MAX_INTERVAL]} here, so that no one downstream adds 2^63-1 seconds to
 * an {@code Instant} or turns them into milliseconds that overflow.
 *
 * @param interval    how long to wait before the next regular announce, at most {@link #MAX_INTERVAL}
 * @param minInterval the tracker's floor for re-announcing early, if it sent one, at most {@link #MAX_INTERVAL}
 * @param seeders     the tracker's {@code complete} count, or -1 if absent
 * @param leechers    the tracker's {@code incomplete} count, or -1 if absent
 * @param peers       IPv4 and IPv6 peers, our own address already removed
 * @param warning     a {@code warning message} to show the user, already made safe for a terminal
 *                    (no escape sequences or control characters, 200 characters at most); the
 *                    announce still succeeded
 * @param trackerId   a {@code tracker id} to echo on the next announce to the same tracker
 */
public record AnnounceResponse(Duration interval, Optional<Duration> minInterval, int seeders, int leechers,
                               List<PeerAddress> peers, Optional<String> warning, Optional<String> trackerId) {
    /**
     * The longest interval we honour: one day. Real trackers ask for 30 to 60 minutes; one that asks
     * for longer is broken or hostile, and a day bounds how long it can silence a tier.
     */
    public static final Duration MAX_INTERVAL = Duration.ofDays(1);

    public AnnounceResponse {
        interval = clamp(interval);
        minInterval = minInterval.map(AnnounceResponse::clamp);
        peers = List.copyOf(peers);
    }

    private static Duration clamp(Duration d) {
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : d;
    }
}
