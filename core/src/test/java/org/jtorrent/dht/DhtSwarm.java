package org.jtorrent.dht;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A DHT of jtorrent nodes in this JVM, each on its own loopback address (127.0.x.y), the first
 * being everyone's bootstrap node. Closing it closes every node.
 */
final class DhtSwarm implements AutoCloseable {
    final List<DhtNode> nodes = new ArrayList<>();

    static InetAddress loopback(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + n / 250), (byte) (1 + n % 250)});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static DhtSwarm start(int size, UnaryOperator<DhtConfig> tweak) throws IOException, InterruptedException {
        DhtSwarm swarm = new DhtSwarm();
        try {
            DhtNode first = new DhtNode(tweak.apply(DhtConfig.loopback(loopback(0))));
            first.start();
            swarm.nodes.add(first);
            List<InetSocketAddress> boot = List.of(first.localAddress());
            for (int i = 1; i < size; i++) {
                DhtNode n = new DhtNode(tweak.apply(DhtConfig.loopback(loopback(i)).withBootstrap(boot)));
                n.start();
                swarm.nodes.add(n);
            }
            swarm.awaitTables(Math.min(size - 1, 8), 20);
            return swarm;
        } catch (IOException | InterruptedException | RuntimeException e) {
            swarm.close();
            throw e;
        }
    }

    /** Waits until every node knows at least {@code min} others (bounded by {@code seconds}). */
    void awaitTables(int min, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(n -> n.stats().tableSize() >= min)) return;
            // a bootstrap that ran while the DHT was still small refreshes through a find_node of our own id
            for (DhtNode n : nodes) if (n.stats().tableSize() < min) n.findNode(n.id());
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        nodes.forEach(DhtNode::close);
    }
}
