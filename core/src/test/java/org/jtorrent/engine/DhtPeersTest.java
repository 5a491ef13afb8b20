package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.dht.NodeId;
import org.jtorrent.id.InfoHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A torrent's use of the session's DHT (run inside {@code unshare -n}). */
@Timeout(60)
class DhtPeersTest {

    @Test
    void privateTorrentsAndSessionsWithoutADhtGetNoDhtPeers() throws Exception {
        InfoHash ih = InfoHash.of(new byte[20]);
        try (DhtNode node = new DhtNode(DhtConfig.loopback(InetAddress.getLoopbackAddress()))) {
            SessionContext with = new SessionContext(SessionConfig.defaults(), null, 6881, null, null, null, null, null, node);
            assertThat(with.dhtPeers(ih, true, peers -> { })).as("BEP 27: private torrents use their trackers only").isNull();
            assertThat(with.dhtPeers(ih, false, peers -> { })).isNotNull();
            SessionContext without = new SessionContext(SessionConfig.defaults(), null, 6881, null, null, null, null, null, null);
            assertThat(without.dhtPeers(ih, false, peers -> { })).isNull();
        }
    }

    @Test
    void aTorrentAnnouncesItsTcpPortAndGetsThePeersOthersAnnounced() throws Exception {
        DhtNode a = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.20.1")));
        DhtNode b = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.20.2")));
        DhtNode c = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.20.3")));
        try (a; b; c) {
            a.start();
            b.start();
            c.start();
            b.ping(a.localAddress()).get(5, TimeUnit.SECONDS);
            c.ping(a.localAddress()).get(5, TimeUnit.SECONDS);
            a.ping(b.localAddress()).get(5, TimeUnit.SECONDS);
            a.ping(c.localAddress()).get(5, TimeUnit.SECONDS);
            InfoHash ih = InfoHash.of(NodeId.random().bytes());
            NodeId target = NodeId.of(ih.bytes());
            assertThat(b.announce(target, 5000).get(10, TimeUnit.SECONDS).announcedTo()).isPositive();

            CompletableFuture<List<InetSocketAddress>> offered = new CompletableFuture<>();
            DhtPeers peers = new DhtPeers(c, ih, 6000, offered::complete);
            try (peers) {
                peers.start();
                assertThat(offered.get(10, TimeUnit.SECONDS)).contains(new InetSocketAddress(b.localAddress().getAddress(), 5000));
                // and it announced our TCP port, not the UDP one. Still running: peers reach the torrent as
                // replies arrive, before the lookup ends and announces, and a close stops it (seen in CI).
                InetSocketAddress ours = new InetSocketAddress(c.localAddress().getAddress(), 6000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!a.storedPeers(target).contains(ours) && System.nanoTime() < deadline) Thread.sleep(50);
                assertThat(a.storedPeers(target)).contains(ours);
            }
        }
    }
}
