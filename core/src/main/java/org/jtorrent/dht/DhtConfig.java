package org.jtorrent.dht;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link DhtNode} runs. {@link #defaults(InetSocketAddress)} suits the internet: the public
 * routers as bootstrap nodes, one routing entry per IP address. {@link #loopback(InetAddress)} is
 * for tests and private DHTs on one host: no bootstrap node at all (never a public router), many
 * nodes per IP, fast timers.
 *
 * @param bind            local address and UDP port (0 = any free port); its family decides the node's
 * @param bootstrap       nodes to ask first (host names resolved when bootstrapping); an empty list
 *                        bootstraps only from the nodes the table or the saved state knows
 * @param readOnly        BEP 43: we query but answer nothing and ask others not to add us
 * @param onePerAddress   at most one routing entry per IP address (turn off only on loopback)
 * @param k               bucket size and the number of closest nodes a lookup finishes with
 * @param alpha           queries in flight per lookup
 * @param queryTimeout    a query unanswered this long has failed
 * @param maintenance     how often the table is checked (pings, refreshes, re-bootstrap, expiry)
 * @param queriesPerSecond incoming queries answered per source IP and second (burst: 5 s worth)
 * @param maxPending      queries in flight at once (new queries fail beyond it)
 * @param maxSources      source addresses the rate limiter tracks
 * @param peersPerInfoHash peers stored per info-hash
 * @param maxInfoHashes   info-hashes stored
 * @param maxPeers        peers stored in all
 * @param replyFactor     a reply is at most this many times the size of its request (no amplification)
 * @param bep42Votes      distinct voters that must report the same external IP before we adopt a BEP 42 id
 * @param clock           time for tokens, expiry and the table (tests move it by hand)
 */
public record DhtConfig(InetSocketAddress bind, List<InetSocketAddress> bootstrap, boolean readOnly, boolean onePerAddress,
                        int k, int alpha, Duration queryTimeout, Duration maintenance, double queriesPerSecond,
                        int maxPending, int maxSources, int peersPerInfoHash, int maxInfoHashes, int maxPeers,
                        int replyFactor, int bep42Votes, Clock clock) {

    /** The routers the big clients bootstrap from; used only when no bootstrap node is given. */
    public static final List<InetSocketAddress> DEFAULT_ROUTERS = List.of(
            InetSocketAddress.createUnresolved("dht.transmissionbt.com", 6881),
            InetSocketAddress.createUnresolved("dht.libtorrent.org", 25401),
            InetSocketAddress.createUnresolved("router.bittorrent.com", 6881));

    public DhtConfig {
        bootstrap = List.copyOf(bootstrap);
        if (k < 1 || alpha < 1 || maxPending < 1 || replyFactor < 1) throw new IllegalArgumentException("k, alpha, maxPending and replyFactor must be positive");
    }

    /**
     * A bootstrap node as users write it: {@code host:port}, {@code 1.2.3.4:port} or {@code [::1]:port}.
     * An IP literal is used as it is; a host name stays unresolved until the node bootstraps.
     */
    public static InetSocketAddress parseHostPort(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) throw new IllegalArgumentException("not HOST:PORT: '" + text + "'");
        String host = t.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not HOST:PORT (bad port): '" + text + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range in '" + text + "'");
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new IllegalArgumentException("write an IPv6 address in brackets: '" + text + "'");
        if (host.isEmpty()) throw new IllegalArgumentException("not HOST:PORT: '" + text + "'");
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port); // a literal: no DNS lookup
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    public static DhtConfig defaults(InetSocketAddress bind) {
        return new DhtConfig(bind, DEFAULT_ROUTERS, false, true, 8, 3, Duration.ofSeconds(3), Duration.ofSeconds(10),
                25, 1024, 10_000, 200, 5_000, 50_000, 5, 3, Clock.systemUTC());
    }

    /** {@link #loopback} on a loopback address (a test or private DHT), else {@link #defaults}. */
    public static DhtConfig forBind(InetSocketAddress bind) {
        return bind.getAddress().isLoopbackAddress() ? loopback(bind.getAddress()).withBind(bind) : defaults(bind);
    }

    /** Loopback/private use: no bootstrap nodes, many nodes per IP, fast timeouts and maintenance. */
    public static DhtConfig loopback(InetAddress address) {
        return defaults(new InetSocketAddress(address, 0)).withBootstrap(List.of()).withOnePerAddress(false)
                .withQueryTimeout(Duration.ofSeconds(1)).withMaintenance(Duration.ofSeconds(1)).withQueriesPerSecond(10_000);
    }

    public DhtConfig withBind(InetSocketAddress v) {
        return new DhtConfig(v, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    /** Replaces the bootstrap list (the public routers too): explicit nodes mean only those. */
    public DhtConfig withBootstrap(List<InetSocketAddress> v) {
        return new DhtConfig(bind, v, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withReadOnly(boolean v) {
        return new DhtConfig(bind, bootstrap, v, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withOnePerAddress(boolean v) {
        return new DhtConfig(bind, bootstrap, readOnly, v, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withQueryTimeout(Duration v) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, v, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withMaintenance(Duration v) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, v, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withQueriesPerSecond(double v) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, v,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withStoreLimits(int perInfoHash, int infoHashes, int peers) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, perInfoHash, infoHashes, peers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withLimits(int pending, int sources) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                pending, sources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, clock);
    }

    public DhtConfig withBep42Votes(int v) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, v, clock);
    }

    public DhtConfig withClock(Clock v) {
        return new DhtConfig(bind, bootstrap, readOnly, onePerAddress, k, alpha, queryTimeout, maintenance, queriesPerSecond,
                maxPending, maxSources, peersPerInfoHash, maxInfoHashes, maxPeers, replyFactor, bep42Votes, v);
    }
}
