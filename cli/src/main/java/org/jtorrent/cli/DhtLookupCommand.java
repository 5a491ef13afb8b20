package org.jtorrent.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.dht.LookupResult;
import org.jtorrent.dht.NodeId;
import org.jtorrent.id.InfoHash;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code jtorrent dht-lookup INFOHASH}: looks an info-hash up in the DHT (and announces us with
 * {@code --announce}), prints the peers and the lookup's figures. Exit 0 when peers were found
 * (or, announcing, when a node took the announce), 1 otherwise.
 */
final class DhtLookupCommand extends Command {
    private final Arg<String> infoHash = positional(String.class, PositionalParamSpec.builder().paramLabel("INFOHASH")
            .description("the info-hash, 40 hex digits"));

    private final DhtOptions dht = new DhtOptions(spec, "0.0.0.0", 0);

    private final Arg<Integer> announce = option(Integer.class, OptionSpec.builder("--announce").paramLabel("PORT")
            .description("also announce us as a peer on this TCP port (0 = implied: our UDP port)"));

    private final Arg<Integer> timeoutSeconds = option(Integer.class, OptionSpec.builder("--timeout").paramLabel("SECONDS")
            .defaultValue("30").description("retry lookups until peers are found or this time has passed (default ${DEFAULT-VALUE})"));

    DhtLookupCommand() {
        super("dht-lookup", "Looks up an info-hash in the Mainline DHT and prints the peers and the lookup's figures.",
                "Lookups are retried every second until peers are found or --timeout passes.");
    }

    @Override
    public Integer call() throws Exception {
        InfoHash hash;
        try {
            hash = InfoHash.fromHex(infoHash.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("INFOHASH must be 40 hex digits, not '" + infoHash.get() + "'");
        }
        NodeId target = NodeId.of(hash.bytes());
        DhtConfig config = dht.config();
        Integer announcePort = announce.get();
        if (announcePort != null && (announcePort < 0 || announcePort > 65535)) throw new IllegalArgumentException("--announce must be 0..65535");
        PrintWriter out = out();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, timeoutSeconds.get()));
        Set<InetSocketAddress> peers = new LinkedHashSet<>();
        int lookups = 0;
        int announcedTo = 0;
        long queries = 0;
        long replies = 0;
        int hops = 0;
        long firstPeersMillis = -1;
        long start = System.nanoTime();
        try (DhtNode node = new DhtNode(config)) {
            node.start();
            while (System.nanoTime() < deadline) {
                lookups++;
                long lookupStart = System.nanoTime();
                LookupResult r = (announcePort == null ? node.getPeers(target) : node.announce(target, announcePort))
                        .get(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()) + 5), TimeUnit.SECONDS);
                queries += r.queries();
                replies += r.replies();
                hops = Math.max(hops, r.hops());
                announcedTo = Math.max(announcedTo, r.announcedTo());
                for (InetSocketAddress p : r.peers()) if (peers.add(p)) out.println("peer " + format(p));
                if (r.firstPeers() != null && firstPeersMillis < 0) {
                    firstPeersMillis = TimeUnit.NANOSECONDS.toMillis(lookupStart - start + r.firstPeers().toNanos());
                }
                if (!peers.isEmpty() || announcedTo > 0) break;
                Thread.sleep(Math.min(1000, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
            out.println("lookup " + hash.hex() + ": " + peers.size() + " peers, " + lookups + " lookups, " + hops + " hops, "
                    + queries + " queries, " + replies + " replies, " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms"
                    + (firstPeersMillis >= 0 ? " (first peers after " + firstPeersMillis + " ms)" : "")
                    + (announcePort == null ? "" : ", announced to " + announcedTo + " nodes"));
            out.flush();
        }
        return !peers.isEmpty() || announcedTo > 0 ? 0 : 1;
    }

    private static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
