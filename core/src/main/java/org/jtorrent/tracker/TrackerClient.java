package org.jtorrent.tracker;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jtorrent.id.InfoHash;

/**
 * One tracker, spoken to over its own protocol. An instance keeps what the protocol carries between
 * requests (the HTTP {@code tracker id}, the UDP connection id), so use one instance per tracker URL.
 * Every call returns or throws within its deadline; none retries on its own: retry policy belongs to
 * {@link TrackerSession}.
 */
public sealed interface TrackerClient extends AutoCloseable permits HttpTrackerClient, UdpTrackerClient {

    URI uri();

    /** Releases the client's socket, if it keeps one. */
    @Override
    void close();

    AnnounceResponse announce(AnnounceRequest request, Duration deadline) throws TrackerException;

    /** Counts for each hash the tracker knows; hashes it does not know are absent from the map. */
    Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline) throws TrackerException;

    /**
     * A client for an {@code http}, {@code https} or {@code udp} tracker URL.
     *
     * @param self recognises our own address in peer lists
     * @throws IllegalArgumentException for any other scheme or a URL without a host
     */
    static TrackerClient forUri(URI uri, TrackerConfig config, SelfFilter self, Clock clock) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null) throw new IllegalArgumentException("tracker URL without a host: " + uri);
        return switch (scheme) {
            case "http", "https" -> new HttpTrackerClient(uri, config, self);
            case "udp" -> new UdpTrackerClient(uri, config, self, clock);
            default -> throw new IllegalArgumentException("unsupported tracker scheme: " + uri);
        };
    }
}
