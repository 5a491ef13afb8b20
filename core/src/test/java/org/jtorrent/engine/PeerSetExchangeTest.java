package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.jtorrent.id.PeerId;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.storage.PartialPieces;
import org.jtorrent.storage.PieceHasher;
import org.jtorrent.storage.Storage;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEX contacts in the candidate list, with the list's dial loop not started (nothing is dialled):
 * tagged by source, under the same cap as a tracker's, and retracted only while never tried and
 * named by PEX alone.
 */
class PeerSetExchangeTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = TestTorrent.single("x.bin", 64 * 1024, 16 * 1024);
    private PieceHasher hasher;
    private Storage storage;
    private PeerSet peers;

    @BeforeEach
    void open() throws Exception {
        hasher = new PieceHasher(1);
        storage = Storage.open(torrent.metainfo().info(), dir, Storage.Options.DEFAULT);
        Torrent t = new Torrent(torrent.metainfo(), storage, new PartialPieces(storage, hasher, 1 << 20), new BitSet(),
                PeerId.random());
        peers = new PeerSet(t, new PeerSet.Dialing(50, InetAddress.getLoopbackAddress(), PeerConfig.DEFAULT),
                new ConnectionSlots(100, 100));
    }

    @AfterEach
    void close() throws Exception {
        peers.close();
        storage.close();
        hasher.close();
    }

    private static List<InetSocketAddress> addresses(int first, int count) {
        List<InetSocketAddress> list = new ArrayList<>();
        for (int i = first; i < first + count; i++) list.add(new InetSocketAddress("127.3." + (i >> 8 & 0xff) + "." + (i & 0xff), 1000 + i % 60000));
        return list;
    }

    @Test
    void pexCandidatesAreCountedApartAndShareTheTrackersCap() {
        peers.offer(addresses(0, 10), false);
        peers.offer(addresses(5, 10), true);
        peers.offerExchanged(addresses(8, 20));
        assertThat(peers.sourceCounts()).containsEntry(PeerSource.TRACKER, 10).containsEntry(PeerSource.USER, 10)
                .containsEntry(PeerSource.EXCHANGE, 20);
        assertThat(peers.knownCount()).isEqualTo(28);

        peers.offerExchanged(addresses(1000, 5000));
        assertThat(peers.knownCount()).as("3,000 unpinned at most, plus the user's")
                .isEqualTo(PeerSet.MAX_CANDIDATES + 10);
    }

    @Test
    void droppedContactsGoOnlyIfPexAloneNamedThemAndTheyWereNeverTried() {
        List<InetSocketAddress> both = addresses(0, 3), pexOnly = addresses(3, 3);
        peers.offer(both, false);
        peers.offerExchanged(both);
        peers.offerExchanged(pexOnly);
        List<InetSocketAddress> dropped = new ArrayList<>(both);
        dropped.addAll(pexOnly);
        peers.exchangeDropped(dropped);
        for (InetSocketAddress a : both) assertThat(peers.knows(a)).as("a tracker named it too").isTrue();
        for (InetSocketAddress a : pexOnly) assertThat(peers.knows(a)).isFalse();
        assertThat(peers.sourceCounts()).containsEntry(PeerSource.EXCHANGE, 3);
    }
}
