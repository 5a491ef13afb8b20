package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lookups over a DHT of jtorrent nodes on loopback (run inside {@code unshare -n}). */
@Timeout(60)
class DhtLookupTest {

    @Test
    void everyNodeFindsAPeerAnnouncedOnAnother() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(32, c -> c)) {
            DhtNode announcer = swarm.nodes.get(17);
            NodeId infoHash = NodeId.random();
            LookupResult announced = announcer.announce(infoHash, 7777).get(20, TimeUnit.SECONDS);
            assertThat(announced.announcedTo()).isGreaterThanOrEqualTo(1);
            InetSocketAddress expected = new InetSocketAddress(announcer.localAddress().getAddress(), 7777);
            List<LookupResult> results = new ArrayList<>();
            for (DhtNode n : swarm.nodes) {
                if (n == announcer) continue;
                results.add(n.getPeers(infoHash).get(20, TimeUnit.SECONDS));
            }
            assertThat(results).allSatisfy(r -> assertThat(r.peers()).contains(expected));
            assertThat(results).allSatisfy(r -> {
                assertThat(r.queries()).isBetween(1, Lookup.MAX_QUERIES);
                assertThat(r.hops()).isGreaterThanOrEqualTo(1);
                assertThat(r.closest()).isNotEmpty();
            });
            // the k closest nodes to the info-hash hold the peer
            long holders = swarm.nodes.stream().filter(n -> n.storedPeers(infoHash).contains(expected)).count();
            assertThat(holders).isEqualTo(announced.announcedTo());
        }
    }

    @Test
    void impliedPortAnnouncesTheUdpSourcePort() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(8, c -> c)) {
            DhtNode announcer = swarm.nodes.get(3);
            NodeId infoHash = NodeId.random();
            assertThat(announcer.announce(infoHash, 0).get(10, TimeUnit.SECONDS).announcedTo()).isPositive();
            LookupResult found = swarm.nodes.get(5).getPeers(infoHash).get(10, TimeUnit.SECONDS);
            assertThat(found.peers()).containsExactly(announcer.localAddress());
        }
    }

    @Test
    void peersAreHandedOverAsRepliesBringThem() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(8, c -> c)) {
            NodeId infoHash = NodeId.random();
            swarm.nodes.get(1).announce(infoHash, 4001).get(10, TimeUnit.SECONDS);
            swarm.nodes.get(2).announce(infoHash, 4002).get(10, TimeUnit.SECONDS);
            List<InetSocketAddress> handed = new java.util.concurrent.CopyOnWriteArrayList<>();
            LookupResult r = swarm.nodes.get(6).announce(infoHash, 4006, handed::addAll).get(10, TimeUnit.SECONDS);
            assertThat(handed).as("each peer once").doesNotHaveDuplicates();
            assertThat(handed).containsExactlyInAnyOrderElementsOf(r.peers());
            assertThat(r.peers()).hasSize(2);
            assertThat(r.firstPeers()).isNotNull();
            assertThat(r.firstPeers()).isLessThanOrEqualTo(r.elapsed());
        }
    }

    @Test
    void aLookupForAnUnknownInfoHashEndsEmptyAtTheClosestNodes() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(16, c -> c)) {
            NodeId infoHash = NodeId.random();
            LookupResult r = swarm.nodes.get(2).getPeers(infoHash).get(10, TimeUnit.SECONDS);
            assertThat(r.peers()).isEmpty();
            assertThat(r.closest()).hasSize(8);
            // the 8 it ends with are the 8 closest of the 15 other nodes
            List<NodeId> others = swarm.nodes.stream().filter(n -> n != swarm.nodes.get(2)).map(DhtNode::id)
                    .sorted(infoHash::compareDistance).limit(8).toList();
            assertThat(r.closest().stream().map(NodeInfo::id).toList()).containsExactlyElementsOf(others);
        }
    }

    @Test
    void aReadOnlyNodeLooksUpButIsNeitherAnsweringNorAdded() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(8, c -> c)) {
            NodeId infoHash = NodeId.random();
            swarm.nodes.get(1).announce(infoHash, 4000).get(10, TimeUnit.SECONDS);
            DhtNode readOnly = new DhtNode(DhtConfig.loopback(DhtSwarm.loopback(100)).withReadOnly(true)
                    .withBootstrap(List.of(swarm.nodes.get(0).localAddress())));
            try (readOnly) {
                readOnly.start();
                LookupResult r = readOnly.getPeers(infoHash).get(10, TimeUnit.SECONDS);
                assertThat(r.peers()).hasSize(1);
                LookupResult announce = readOnly.announce(infoHash, 5000).get(10, TimeUnit.SECONDS);
                assertThat(announce.announcedTo()).isZero();
                assertThat(swarm.nodes).allSatisfy(n -> assertThat(n.routingNodes()).noneMatch(x -> x.id().equals(readOnly.id())));
                // it answers nothing, not even a ping
                var ping = swarm.nodes.get(0).ping(readOnly.localAddress());
                assertThat(ping).failsWithin(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void ipv6NodesKeepTheirOwnTableAndAnswerWantN6ForTheirIpv4Sibling() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        List<DhtNode> six = new ArrayList<>();
        try (DhtSwarm swarm = DhtSwarm.start(4, c -> c)) {
            DhtNode first = new DhtNode(DhtConfig.loopback(v6));
            six.add(first);
            first.start();
            for (int i = 0; i < 5; i++) {
                DhtNode n = new DhtNode(DhtConfig.loopback(v6).withBootstrap(List.of(first.localAddress())));
                six.add(n);
                n.start();
            }
            NodeId infoHash = NodeId.random();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (six.stream().anyMatch(n -> n.stats().tableSize() < 2) && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(six.get(2).announce(infoHash, 9000).get(10, TimeUnit.SECONDS).announcedTo()).isPositive();
            LookupResult r = six.get(4).getPeers(infoHash).get(10, TimeUnit.SECONDS);
            assertThat(r.peers()).containsExactly(new InetSocketAddress(v6, 9000));
            assertThat(six).allSatisfy(n -> assertThat(n.routingNodes()).allMatch(x -> x.address().getAddress() instanceof java.net.Inet6Address));

            // an IPv4 node paired with an IPv6 one answers BEP 32's want n6 from its sibling's table
            DhtNode v4 = swarm.nodes.get(1);
            v4.pairWith(six.get(0));
            KrpcMessage.Query want = new KrpcMessage.Query(new byte[4], KrpcMessage.Method.FIND_NODE, NodeId.random(), NodeId.random(),
                    true, true, 0, false, null, false);
            KrpcMessage.Response both = swarm.nodes.get(2).query(v4.localAddress(), v4.id(), want).get(5, TimeUnit.SECONDS);
            assertThat(both.nodes()).isNotEmpty();
            assertThat(both.nodes6()).isNotEmpty();
            assertThat(both.nodes6()).allMatch(n -> n.address().getAddress() instanceof java.net.Inet6Address);
        } finally {
            six.forEach(DhtNode::close);
        }
    }
}
