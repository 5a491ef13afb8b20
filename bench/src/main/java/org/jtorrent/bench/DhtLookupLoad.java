package org.jtorrent.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.dht.LookupResult;
import org.jtorrent.dht.NodeId;

/**
 * DHT lookup figures on loopback (run inside a private network namespace).
 *
 * <pre>
 *   DhtLookupLoad swarm N [--churn]  N jtorrent nodes in this JVM (127.0.x.y each); one announces,
 *                                    every other looks the info-hash up once (tables warm); with
 *                                    --churn a third of the nodes are then closed without warning
 *                                    and every survivor looks it up again
 *   DhtLookupLoad external BOOT HEX HOST:PORT REPEAT
 *                                    a fresh node (cold: empty table) bootstraps from BOOT and looks
 *                                    HEX up until it finds HOST:PORT, REPEAT times (the libtorrent
 *                                    leecher's dht_peers_s measures the same: add to first peers)
 * </pre>
 * Prints one line: lookups, found, median and p95 of the time to the first peers and to the end of
 * the lookup (ms; in external mode both from the node's start), queries and hops.
 */
public final class DhtLookupLoad {
    private DhtLookupLoad() {
    }

    private static InetAddress loopback(int n) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + n / 250), (byte) (1 + n % 250)});
    }

    public static void main(String[] args) throws Exception {
        List<long[]> samples = new ArrayList<>(); // {lookup micros, queries, hops, found, first peers micros}
        String label;
        if (args[0].equals("swarm")) {
            int n = Integer.parseInt(args[1]);
            boolean churn = args.length > 2 && args[2].equals("--churn");
            label = "jtorrent-dht nodes=" + n + " (warm tables)";
            List<DhtNode> nodes = new ArrayList<>();
            try {
                DhtNode first = new DhtNode(DhtConfig.loopback(loopback(0)));
                first.start();
                nodes.add(first);
                for (int i = 1; i < n; i++) {
                    DhtNode node = new DhtNode(DhtConfig.loopback(loopback(i)).withBootstrap(List.of(first.localAddress())));
                    node.start();
                    nodes.add(node);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (nodes.stream().anyMatch(x -> x.stats().tableSize() < 8) && System.nanoTime() < deadline) {
                    for (DhtNode x : nodes) if (x.stats().tableSize() < 8) x.findNode(x.id());
                    Thread.sleep(500);
                }
                NodeId infoHash = NodeId.random();
                DhtNode announcer = nodes.get(n / 2);
                announcer.announce(infoHash, 7777).get(20, TimeUnit.SECONDS);
                InetSocketAddress expected = new InetSocketAddress(announcer.localAddress().getAddress(), 7777);
                lookUpFromAll(nodes, announcer, infoHash, expected, samples);
                if (churn) {
                    print(label, samples);
                    samples.clear();
                    // a third of the nodes die without a word (never the announcer, whose peer is looked up)
                    List<DhtNode> shuffled = new ArrayList<>(nodes);
                    shuffled.remove(announcer);
                    Collections.shuffle(shuffled, new java.util.Random(1));
                    List<DhtNode> killed = shuffled.subList(0, n / 3);
                    killed.forEach(DhtNode::close);
                    List<DhtNode> alive = new ArrayList<>(nodes);
                    alive.removeAll(killed);
                    label = "jtorrent-dht nodes=" + n + " after " + killed.size() + " killed (tables not yet repaired)";
                    lookUpFromAll(alive, announcer, infoHash, expected, samples);
                }
            } finally {
                nodes.forEach(DhtNode::close);
            }
        } else {
            InetSocketAddress boot = DhtConfig.parseHostPort(args[1].split(",")[0]);
            NodeId infoHash = NodeId.of(HexFormat.of().parseHex(args[2]));
            InetSocketAddress expected = DhtConfig.parseHostPort(args[3]);
            int repeat = Integer.parseInt(args[4]);
            label = "jtorrent-dht external (cold: fresh node, bootstrap + lookups until found)";
            for (int i = 0; i < repeat; i++) {
                try (DhtNode node = new DhtNode(DhtConfig.loopback(loopback(200 + i)).withBootstrap(List.of(boot)))) {
                    long t0 = System.nanoTime();
                    node.start();
                    int queries = 0;
                    int hops = 0;
                    boolean found = false;
                    long firstPeers = Long.MAX_VALUE;
                    while (!found && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                        long lookupStart = System.nanoTime();
                        LookupResult r = node.getPeers(infoHash).get(20, TimeUnit.SECONDS);
                        if (r.firstPeers() != null && firstPeers == Long.MAX_VALUE) {
                            firstPeers = (lookupStart - t0 + r.firstPeers().toNanos()) / 1000;
                        }
                        queries += r.queries();
                        hops = Math.max(hops, r.hops());
                        found = r.peers().contains(expected);
                        if (System.getenv("DHT_BENCH_DEBUG") != null) {
                            System.err.println("  lookup after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + r);
                        }
                    }
                    samples.add(new long[] {(System.nanoTime() - t0) / 1000, queries, hops, found ? 1 : 0, firstPeers});
                }
            }
        }
        print(label, samples);
    }

    /** One lookup from every node but the announcer, {@link #PARALLEL} at a time (after churn each may wait for timeouts). */
    private static void lookUpFromAll(List<DhtNode> nodes, DhtNode announcer, NodeId infoHash, InetSocketAddress expected,
                                      List<long[]> samples) throws Exception {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PARALLEL);
        List<java.util.concurrent.CompletableFuture<long[]>> all = new ArrayList<>();
        for (DhtNode x : nodes) {
            if (x == announcer) continue;
            slots.acquire();
            long t0 = System.nanoTime();
            all.add(x.getPeers(infoHash).whenComplete((r, e) -> slots.release()).thenApply(r -> new long[] {
                    (System.nanoTime() - t0) / 1000, r.queries(), r.hops(), r.peers().contains(expected) ? 1 : 0,
                    r.firstPeers() == null ? Long.MAX_VALUE : r.firstPeers().toNanos() / 1000}));
        }
        for (var f : all) samples.add(f.get(60, TimeUnit.SECONDS));
    }

    private static final int PARALLEL = 16;

    private static void print(String label, List<long[]> samples) {
        System.out.printf("%s lookups=%d found=%d first_peers_ms median=%.1f p95=%.1f lookup_ms median=%.1f p95=%.1f"
                        + " queries median=%d p95=%d hops median=%d p95=%d%n",
                label, samples.size(), samples.stream().filter(s -> s[3] == 1).count(),
                pct(samples, 4, 50) / 1000.0, pct(samples, 4, 95) / 1000.0,
                pct(samples, 0, 50) / 1000.0, pct(samples, 0, 95) / 1000.0, pct(samples, 1, 50), pct(samples, 1, 95),
                pct(samples, 2, 50), pct(samples, 2, 95));
    }

    private static long pct(List<long[]> samples, int field, int percent) {
        List<Long> values = new ArrayList<>();
        for (long[] s : samples) values.add(s[field]);
        Collections.sort(values);
        return values.isEmpty() ? 0 : values.get(Math.min(values.size() - 1, (int) Math.ceil(percent / 100.0 * values.size()) - 1));
    }
}
