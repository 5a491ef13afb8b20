package org.jtorrent.tracker.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.jtorrent.id.InfoHash;

/**
 * How the embedded tracker listens and what it may hold. The caps bound memory whatever clients send:
 * a stored peer costs about 230 bytes of heap ({@code SwarmsMemoryTest} holds it under 300), so the
 * defaults hold at most {@code maxPeers} = 1,000,000 peers, under 300 MB, and 100,000 torrents; the
 * per-address limits keep one source from taking more than its share of them.
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
 * @param perAddress         what one source address (IPv4 address, IPv6 /64) may hold
 * @param http               limits of the HTTP front end
 */
public record TrackerServerConfig(InetAddress bind, int httpPort, int udpPort, Duration interval, int maxTorrents,
                                  int maxPeersPerTorrent, int maxPeers, int defaultNumWant, int maxNumWant,
                                  Optional<Set<InfoHash>> allowed, PerAddressLimits perAddress, HttpLimits http) {

    /**
     * What one source may hold, so that one machine cannot fill the tracker. A source is an IPv4
     * address or an IPv6 /64 (one subscriber's prefix: a host picks addresses in it at will).
     *
     * @param portsPerTorrent peer entries one source keeps in one torrent (one per port); a newcomer
     *                        past it replaces that source's least recently seen entry in the torrent
     * @param peers           peer entries one source keeps over all torrents (so also the torrents it
     *                        may be in or create); past it, a new torrent is refused and an existing
     *                        one answers without remembering the newcomer. Counted approximately
     *                        (a count-min sketch of fixed size), never below the true count
     * @param httpConnections HTTP connections one source may have open; past it, a connection is closed at once
     */
    public record PerAddressLimits(int portsPerTorrent, int peers, int httpConnections) {
        /** For a tracker serving a network: a few clients behind one NAT address, a seedbox of 2,000 torrents. */
        public static final PerAddressLimits DEFAULT = new PerAddressLimits(8, 2_000, 32);
        /** No per-address limits: a swarm on one machine, where every peer is 127.0.0.1 (tests, demos). */
        public static final PerAddressLimits NONE = new PerAddressLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

        public PerAddressLimits {
            if (portsPerTorrent < 1 || peers < 1 || httpConnections < 1) throw new IllegalArgumentException("per-address limits must be positive");
        }
    }

    /**
     * @param maxConnections HTTP connections open at once; further ones wait in the listen backlog
     * @param requestTimeout how long one connection may live, from accept to the last byte of the reply:
     *                       a client that sends its request slowly (or not at all) is cut off after it
     */
    public record HttpLimits(int maxConnections, Duration requestTimeout) {
        public static final HttpLimits DEFAULT = new HttpLimits(4096, Duration.ofSeconds(10));

        public HttpLimits {
            if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive");
            if (requestTimeout.toMillis() < 1) throw new IllegalArgumentException("requestTimeout must be positive");
        }
    }

    public TrackerServerConfig {
        if (interval.toSeconds() < 1) throw new IllegalArgumentException("interval must be at least one second");
        if (maxTorrents < 1 || maxPeersPerTorrent < 1 || maxPeers < 1) throw new IllegalArgumentException("caps must be positive");
        if (defaultNumWant < 0 || maxNumWant < defaultNumWant) throw new IllegalArgumentException("need 0 <= defaultNumWant <= maxNumWant");
        allowed = allowed.map(Set::copyOf);
    }

    /**
     * Loopback, free ports, 30-minute interval, the default caps and per-address limits. A swarm of
     * more than {@code portsPerTorrent} peers on this one machine needs {@code withPerAddress(PerAddressLimits.NONE)}.
     */
    public static TrackerServerConfig loopback() {
        return new TrackerServerConfig(InetAddress.getLoopbackAddress(), 0, 0, Duration.ofMinutes(30),
                100_000, 10_000, 1_000_000, 50, 200, Optional.empty(), PerAddressLimits.DEFAULT, HttpLimits.DEFAULT);
    }

    public TrackerServerConfig withBind(InetAddress address) {
        return new TrackerServerConfig(address, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed, perAddress, http);
    }

    public TrackerServerConfig withPorts(int httpPort, int udpPort) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed, perAddress, http);
    }

    public TrackerServerConfig withInterval(Duration newInterval) {
        return new TrackerServerConfig(bind, httpPort, udpPort, newInterval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed, perAddress, http);
    }

    public TrackerServerConfig withCaps(int torrents, int peersPerTorrent, int peers) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, torrents, peersPerTorrent, peers,
                defaultNumWant, maxNumWant, allowed, perAddress, http);
    }

    public TrackerServerConfig withAllowed(Set<InfoHash> hashes) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, Optional.of(hashes), perAddress, http);
    }

    public TrackerServerConfig withPerAddress(PerAddressLimits limits) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed, limits, http);
    }

    public TrackerServerConfig withHttp(HttpLimits limits) {
        return new TrackerServerConfig(bind, httpPort, udpPort, interval, maxTorrents, maxPeersPerTorrent, maxPeers,
                defaultNumWant, maxNumWant, allowed, perAddress, limits);
    }
}
