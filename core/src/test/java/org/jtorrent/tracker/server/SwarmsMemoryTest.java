package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Random;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.PeerAddress;
import org.junit.jupiter.api.Test;

/**
 * The heap the tracker's store holds per peer stays within what docs/tracker.md promises, so its
 * caps (peers and torrents) really bound its memory.
 */
class SwarmsMemoryTest {
    /** The documented bound: docs/tracker.md, "Memory caps". */
    static final long MAX_BYTES_PER_PEER = 300;

    @Test
    void storedPeersCostNoMoreHeapThanDocumented() throws Exception {
        int torrents = 1_000;
        int peersEach = 200;
        Swarms swarms = new Swarms(TrackerServerConfig.loopback().withCaps(torrents, peersEach, torrents * peersEach),
                Clock.systemUTC());
        Random random = new Random(1);
        byte[] hash = new byte[20];
        long before = usedHeapAfterGc();
        for (int t = 0; t < torrents; t++) {
            random.nextBytes(hash);
            InfoHash infoHash = InfoHash.of(hash);
            for (int p = 0; p < peersEach; p++) {
                byte[] ip = {10, (byte) (t >> 8), (byte) t, (byte) p};
                PeerAddress address = PeerAddress.of(new InetSocketAddress(InetAddress.getByAddress(ip), 6881 + p));
                swarms.announce(new Swarms.Announce(infoHash, address, PeerId.random(), p % 2, AnnounceEvent.STARTED, 0));
            }
        }
        long after = usedHeapAfterGc();
        assertThat(swarms.peerCount()).isEqualTo(torrents * peersEach);
        long perPeer = (after - before) / (torrents * peersEach);
        System.out.printf("tracker store: %d bytes of heap per stored peer (bound %d)%n", perPeer, MAX_BYTES_PER_PEER);
        assertThat(perPeer).isLessThanOrEqualTo(MAX_BYTES_PER_PEER);
        assertThat(swarms.torrentCount()).isEqualTo(torrents); // keeps the store reachable until here
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
