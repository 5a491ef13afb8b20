package org.jtorrent.tracker.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.jtorrent.id.InfoHash;

/**
 * How the embedded tracker listens and what it may hold. The caps bound memory whatever clients send:
 * a peer costs about 150 bytes (key, id, timestamps, map entries), so the defaults hold at most
 * {@code maxPeers} = 1,000,000 peers, about 150 MB, and 100,000 torrents.
 *
 * @param bind               address to listen on (both HTTP and UDP)
 * @param httpPort           TCP port for HTTP announce/scrape; 0 picks a free one; -1 disables HTTP
 * @param udpPort            UDP port for BEP 15; 0 picks a free one; -1 disables UDP
 * @param interval           announce interval we ask of clients; a peer silent for two intervals expires
 * @param maxTorrents        torrents tracked at once; announces for new torrents past it are refused
 * @param maxPeersPerTorrent peers kept per torrent; a newcomer past it is served but not remembered
 * @param maxPeers           peers kept over all torrents
 * @param defaultNumWant     peers returned when the client does not say
 * @param maxNumWant         most peers returned, whatever the client asks for
 * @param allowed            if present, only these info-hashes are tracked (like opentracker's whitelist)
 */
public record TrackerServerConfig(InetAddress bind, int httpPort, int udpPort, Duration interval, int maxTorrents,
                                  int maxPeersPerTorrent, int maxPeers, int defaultNumWant, int maxNumWant,
                                  Optional<Set<InfoHash>> allowed) {
    public TrackerServerConfig {
        if (interval.toSeconds() < 1) throw new IllegalArgumentException("interval must be at least one second");
        if (maxTorrents < 1 || maxPeersPerTorrent < 1 || maxPeers < 1) throw new IllegalArgumentException("caps must be positive");
        if (defaultNumWant < 0 || maxNumWant < defaultNumWant) throw new IllegalArgumentException("need 0 <= defaultNumWant <= maxNumWant");
        allowed = allowed.map(Set::copyOf);
    }

    /** Loopback, free ports, 30-minute interval, the default caps. */
    public static TrackerServerConfig loopback() {
        return new TrackerServerConfig(InetAddress.getLoopbackAddress(), 0, 0, Duration.ofMinutes(30),
                100_000, 10_000, 1_000_000, 50, 200, Optional.empty());
    }

    public TrackerServerConfig withBind(InetAddress address) {
        return new TrackerServerConfig(address, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed);
    }

    public TrackerServerConfig withPorts(int http, int udp) {
        return new TrackerServerConfig(bind, http, udp, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed);
    }

    public TrackerServerConfig withInterval(Duration newInterval) {
        return new TrackerServerConfig(bind, httpPort, udpPort, newInterval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed);
    }

    public TrackerServerConfig withCaps(int torrents, int peersPerTorrent, int peers) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, torrents, peersPerTorrent, peers,
                defaultNumWant, maxNumWant, allowed);
    }

    public TrackerServerConfig withAllowed(Set<InfoHash> hashes) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, Optional.of(hashes));
    }
}
