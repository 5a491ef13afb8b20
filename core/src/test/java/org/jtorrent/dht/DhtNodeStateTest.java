package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Persistence, re-bootstrap and BEP 42 id changes of a running node (run inside {@code unshare -n}). */
@Timeout(60)
class DhtNodeStateTest {

    @Test
    void aRestartedNodeBootstrapsFromTheNodesItSaved() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(12, c -> c)) {
            NodeId infoHash = NodeId.random();
            swarm.nodes.get(4).announce(infoHash, 6000).get(10, TimeUnit.SECONDS);
            DhtNode before = swarm.nodes.get(7);
            byte[] state = before.saveState();
            NodeId id = before.id();
            InetSocketAddress address = before.localAddress();
            before.close();

            DhtNode after = new DhtNode(DhtConfig.loopback(address.getAddress())); // no bootstrap node at all
            try (after) {
                assertThat(after.restoreState(state)).isGreaterThanOrEqualTo(8);
                assertThat(after.id()).as("the id survives (BEP 42 exempts loopback)").isEqualTo(id);
                after.start();
                LookupResult r = after.getPeers(infoHash).get(10, TimeUnit.SECONDS);
                assertThat(r.peers()).hasSize(1);
                assertThat(after.stats().tableSize()).isPositive();
            }
            DhtNode fresh = new DhtNode(DhtConfig.loopback(DhtSwarm.loopback(99)));
            try (fresh) {
                assertThat(fresh.restoreState("not bencode".getBytes())).isZero();
                assertThat(fresh.restoreState(new byte[100_000])).isZero();
            }
        }
    }

    @Test
    void anEmptyTableBootstrapsAgainWithBackOff() throws Exception {
        InetSocketAddress later = new InetSocketAddress(DhtSwarm.loopback(120), 45678);
        List<String> events = new CopyOnWriteArrayList<>();
        DhtNode lonely = new DhtNode(DhtConfig.loopback(DhtSwarm.loopback(121)).withBootstrap(List.of(later)));
        lonely.onEvent(events::add);
        try (lonely) {
            lonely.start();
            Thread.sleep(1500);
            assertThat(lonely.stats().tableSize()).isZero();
            DhtNode bootstrap = new DhtNode(DhtConfig.loopback(later.getAddress()).withBind(later));
            try (bootstrap) {
                bootstrap.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (lonely.stats().tableSize() == 0 && System.nanoTime() < deadline) Thread.sleep(50);
                assertThat(lonely.routingNodes()).extracting(NodeInfo::id).containsExactly(bootstrap.id());
            }
        }
        assertThat(events).anyMatch(e -> e.contains("bootstrapping again"));
    }

    @Test
    void repliesNamingOurExternalAddressGiveUsABep42Id() throws Exception {
        DhtNode node = new DhtNode(DhtConfig.loopback(DhtSwarm.loopback(130)));
        List<String> events = new CopyOnWriteArrayList<>();
        node.onEvent(events::add);
        InetAddress external = InetAddress.getByName("124.31.75.21");
        try (node) {
            node.start();
            NodeId before = node.id();
            for (int i = 0; i < 3; i++) {
                try (DatagramSocket voter = new DatagramSocket(new InetSocketAddress(DhtSwarm.loopback(131 + i), 0))) {
                    var pong = node.ping((InetSocketAddress) voter.getLocalSocketAddress());
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    voter.setSoTimeout(2000);
                    voter.receive(p);
                    var q = (KrpcMessage.Query) Krpc.decode(Arrays.copyOf(p.getData(), p.getLength()), p.getLength()).orElseThrow();
                    byte[] r = Krpc.encode(new KrpcMessage.Response(q.transactionId(), NodeId.random(), List.of(), List.of(), List.of(), null,
                            new InetSocketAddress(external, 6881)));
                    voter.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                    pong.get(2, TimeUnit.SECONDS);
                }
                if (i < 2) assertThat(node.id()).as("one or two voters are not enough").isEqualTo(before);
            }
            assertThat(node.id()).isNotEqualTo(before);
            assertThat(node.id().matchesAddress(external)).isTrue();
            assertThat(node.routingNodes()).hasSize(3); // the table moved to the new id
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.stream().noneMatch(e -> e.contains("BEP 42")) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(events).anyMatch(e -> e.contains("external address 124.31.75.21"));
        }
    }
}
