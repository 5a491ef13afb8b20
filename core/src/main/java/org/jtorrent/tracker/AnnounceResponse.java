package org.jtorrent.tracker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A tracker's successful answer to an announce.
 *
 * @param interval    how long to wait before the next regular announce
 * @param minInterval the tracker's floor for re-announcing early, if it sent one
 * @param seeders     the tracker's {@code complete} count, or -1 if absent
 * @param leechers    the tracker's {@code incomplete} count, or -1 if absent
 * @param peers       IPv4 and IPv6 peers, our own address already removed
 * @param warning     a {@code warning message} to show the user; the announce still succeeded
 * @param trackerId   a {@code tracker id} to echo on the next announce to the same tracker
 */
public record AnnounceResponse(Duration interval, Optional<Duration> minInterval, int seeders, int leechers,
                               List<PeerAddress> peers, Optional<String> warning, Optional<String> trackerId) {
    public AnnounceResponse {
        peers = List.copyOf(peers);
    }
}
