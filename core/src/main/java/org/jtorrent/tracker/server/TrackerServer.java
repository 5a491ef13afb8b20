package org.jtorrent.tracker.server;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jtorrent.id.InfoHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded tracker: HTTP and UDP front ends over one shared {@link Swarms}. Start it with port 0
 * for a free port (tests do), read the bound addresses back, close it to stop. Peers silent for two
 * intervals are dropped by a sweep that runs once per interval.
 */
public final class TrackerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrackerServer.class);

    private final TrackerServerConfig config;
    private final Swarms swarms;
    private final HttpFrontEnd http;
    private final UdpFrontEnd udp;
    private final ScheduledExecutorService sweeper;

    private TrackerServer(TrackerServerConfig config, Clock clock) throws IOException {
        this.config = config;
        this.swarms = new Swarms(config, clock);
        HttpFrontEnd h = null;
        UdpFrontEnd u = null;
        try {
            if (config.httpPort() >= 0) h = new HttpFrontEnd(config, swarms);
            if (config.udpPort() >= 0) u = new UdpFrontEnd(config, swarms, clock);
        } catch (IOException | RuntimeException e) {
            if (h != null) h.close();
            throw e;
        }
        this.http = h;
        this.udp = u;
        // Its thread starts with the first task, in start(): a constructor starts no threads.
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("jtorrent-tracker-expiry").daemon().factory());
    }

    public static TrackerServer start(TrackerServerConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** With an injected clock, expiry and connection-id minutes follow it (tests move time by hand). */
    public static TrackerServer start(TrackerServerConfig config, Clock clock) throws IOException {
        TrackerServer server = new TrackerServer(config, clock);
        if (server.http != null) server.http.start();
        if (server.udp != null) server.udp.start();
        long every = config.interval().toMillis();
        server.sweeper.scheduleWithFixedDelay(server.swarms::expire, every, every, TimeUnit.MILLISECONDS);
        var perAddress = config.perAddress();
        LOG.info("tracker started: http {}, udp {}, interval {} s, caps {} torrents / {} peers per torrent / {} peers, "
                        + "per address {} ports per torrent / {} peers / {} HTTP connections, HTTP {} connections / {} ms{}",
                server.httpAddress().map(TrackerServer::show).orElse("off"),
                server.udpAddress().map(TrackerServer::show).orElse("off"),
                config.interval().toSeconds(), config.maxTorrents(), config.maxPeersPerTorrent(), config.maxPeers(),
                perAddress.portsPerTorrent(), perAddress.peers(), perAddress.httpConnections(),
                config.http().maxConnections(), config.http().requestTimeout().toMillis(),
                config.allowed().map(a -> ", " + a.size() + " allowed info-hashes").orElse(""));
        return server;
    }

    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpFrontEnd::address);
    }

    public Optional<InetSocketAddress> udpAddress() {
        if (udp == null) return Optional.empty();
        try {
            return Optional.of(udp.address());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code http://host:port/announce}; the host is the bound address, so a wildcard bind gives loopback. */
    public URI httpAnnounceUri() {
        return URI.create("http://" + hostFor(httpAddress().orElseThrow()) + "/announce");
    }

    public URI udpAnnounceUri() {
        return URI.create("udp://" + hostFor(udpAddress().orElseThrow()));
    }

    public int torrentCount() {
        return swarms.torrentCount();
    }

    public int peerCount() {
        return swarms.peerCount();
    }

    public int peerCount(InfoHash hash) {
        return swarms.peerCount(hash);
    }

    /** Runs the expiry sweep now rather than at the next interval. */
    public void expireNow() {
        swarms.expire();
    }

    /** The peer store itself, for tests in this package that fill it faster than the network could. */
    Swarms swarmsForTest() {
        return swarms;
    }

    public TrackerServerConfig config() {
        return config;
    }

    @Override
    public void close() throws IOException {
        sweeper.shutdownNow();
        if (http != null) http.close();
        if (udp != null) udp.close();
        LOG.info("tracker stopped: {} HTTP and {} UDP announces served, {} torrents and {} peers dropped",
                http == null ? 0 : http.announces.sum(), udp == null ? 0 : udp.announces.sum(),
                swarms.torrentCount(), swarms.peerCount());
    }

    /** Where a client on this machine reaches the socket: a wildcard bind is reached over loopback. */
    private static String hostFor(InetSocketAddress a) {
        var ip = a.getAddress();
        if (ip.isAnyLocalAddress()) return (ip instanceof Inet6Address ? "[::1]" : "127.0.0.1") + ":" + a.getPort();
        return show(a);
    }

    private static String show(InetSocketAddress a) {
        var ip = a.getAddress();
        return (ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress()) + ":" + a.getPort();
    }
}
