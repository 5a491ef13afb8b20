package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.pex.PeerExchange;
import org.jtorrent.pex.PexMessage;
import org.jtorrent.testing.ScriptedPexPeer;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer exchange between jtorrent sessions on loopback: a leecher that knows only another leecher
 * finds the seeder through it; a private torrent neither offers nor takes PEX; a peer that floods
 * huge PEX messages changes nothing for the download, and what it names is capped.
 */
@Timeout(60)
class PexSwarmTest {
    @TempDir
    Path dir;

    private static Session started() throws Exception {
        Session s = new Session(SessionConfig.defaults().withTrackers(false, SessionConfig.defaults().tracker()));
        s.start();
        return s;
    }

    private static InetSocketAddress at(Session s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.listenPort());
    }

    @Test
    void aLeecherThatKnowsOnlyAnotherLeecherFindsTheSeederThroughItsPex() throws Exception {
        TestTorrent t = TestTorrent.single("pex.bin", 2 << 20, 64 * 1024);
        t.writeTo(dir.resolve("seed"));
        try (Session seeder = started(); Session first = started(); Session second = started()) {
            TorrentHandle seed = seeder.add(t.metainfo(), TorrentOptions.in(dir.resolve("seed")));
            seed.completion().get(10, TimeUnit.SECONDS);
            TorrentHandle a = first.add(t.metainfo(), TorrentOptions.in(dir.resolve("a")).withPeers(List.of(at(seeder))));
            TorrentHandle b = second.add(t.metainfo(), TorrentOptions.in(dir.resolve("b")).withPeers(List.of(at(first))));
            b.completion().get(30, TimeUnit.SECONDS);
            a.completion().get(30, TimeUnit.SECONDS);
            await(() -> seed.peers().size() == 2, "the seeder sees the second leecher too: " + seed.peers());
            assertThat(b.peerSources()).containsEntry(PeerSource.EXCHANGE, 1).containsEntry(PeerSource.USER, 1);
            assertThat(b.liveRun().orElseThrow().peerSet().knows(at(seeder))).isTrue();
            assertThat(a.liveRun().orElseThrow().exchange().orElseThrow().messagesSent()).isPositive();
        }
        assertSameFiles(t, dir.resolve("b"));
        assertSameFiles(t, dir.resolve("a"));
    }

    /**
     * A magnet leecher's connection made before the metadata (when its torrent offered only
     * ut_metadata) takes up ut_pex at the switch: it sends a new extension handshake, and the peer's
     * PEX names the seeder, which the magnet leecher could learn from nowhere else. Before, such a
     * connection never exchanged PEX.
     */
    @Test
    void aMagnetLeechersKeptConnectionTakesUpPexAfterTheMetadata() throws Exception {
        TestTorrent t = TestTorrent.single("kept.bin", 4 << 20, 64 * 1024);
        t.writeTo(dir.resolve("seed"));
        try (Session seeder = started(); Session middle = started(); Session magnetLeecher = started()) {
            // 1 MiB/s: the middle leecher is still downloading from the seeder when the magnet arrives.
            seeder.add(t.metainfo(), TorrentOptions.in(dir.resolve("seed")).withRateLimits(1 << 20, 0))
                    .completion().get(10, TimeUnit.SECONDS);
            TorrentHandle a = middle.add(t.metainfo(), TorrentOptions.in(dir.resolve("a")).withPeers(List.of(at(seeder))));
            await(() -> a.peers().size() == 1, "the middle leecher connected to the seeder");
            TorrentHandle c = magnetLeecher.add(MagnetSwarmTest.magnet(t, List.of(at(middle))), TorrentOptions.in(dir.resolve("c")));
            c.completion().get(30, TimeUnit.SECONDS);
            assertThat(c.peerSources()).as("where the magnet leecher heard of peers").containsEntry(PeerSource.EXCHANGE, 1);
            assertThat(c.liveRun().orElseThrow().peerSet().knows(at(seeder))).isTrue();
        }
        assertSameFiles(t, dir.resolve("c"));
    }

    /**
     * BEP 27: no ut_pex in our handshake for a private torrent, and contacts sent anyway are not
     * taken; the public torrent beside it takes them, but for the sender's own listen address.
     */
    @Test
    void aPrivateTorrentNeitherAdvertisesNorAcceptsPex() throws Exception {
        TestTorrent open = TestTorrent.single("open.bin", 256 * 1024, 16 * 1024);
        TestTorrent closed = TestTorrent.privateSingle("closed.bin", 256 * 1024, 16 * 1024);
        assertThat(closed.metainfo().info().isPrivate()).isTrue();
        try (Session session = started()) {
            TorrentHandle openHandle = session.add(open.metainfo(), TorrentOptions.in(dir.resolve("o")));
            TorrentHandle closedHandle = session.add(closed.metainfo(), TorrentOptions.in(dir.resolve("c")));
            await(() -> openHandle.state() == TorrentState.DOWNLOADING && closedHandle.state() == TorrentState.DOWNLOADING, "running");
            // Eleven contacts, the first the listen address of the peer that sends them: it is connected
            // already, so not a candidate; the other ten are.
            byte[] contacts = payload(11, 4321);
            try (ScriptedPexPeer toOpen = ScriptedPexPeer.dial(at(session), open.metainfo().infoHash(), 16);
                 ScriptedPexPeer toClosed = ScriptedPexPeer.dial(at(session), closed.metainfo().infoHash(), 16)) {
                toOpen.greet(true, 4321);
                toClosed.greet(true, 0);
                assertThat(toOpen.awaitTheirs().extensions()).containsEntry(PexMessage.NAME, PexMessage.LOCAL_ID);
                assertThat(toClosed.awaitTheirs().extensions()).doesNotContainKey(PexMessage.NAME);
                toOpen.sendPex(PexMessage.LOCAL_ID, contacts);
                toClosed.sendPex(PexMessage.LOCAL_ID, contacts);
                await(() -> openHandle.peerSources().get(PeerSource.EXCHANGE) == 10, "the public torrent takes them");
                Thread.sleep(300);
                assertThat(closedHandle.peerSources()).containsEntry(PeerSource.EXCHANGE, 0);
                assertThat(closedHandle.liveRun().orElseThrow().exchange()).isEmpty();
                assertThat(closedHandle.peers()).hasSize(1); // the message was skipped, the peer kept
            }
        }
    }

    /**
     * Hostile: while the leecher downloads from an honest seeder, a peer sends it PEX messages of
     * 5,000 contacts ten times a second (its own address among them). The download completes
     * byte-exact; six messages a minute are read, the rest ignored; at most 200 of its contacts are
     * kept; our own address is never a candidate.
     */
    @Test
    void aPexFloodOfHugeMessagesChangesNothingForTheDownload() throws Exception {
        TestTorrent t = TestTorrent.single("flood.bin", 4 << 20, 64 * 1024);
        t.writeTo(dir.resolve("seed"));
        try (Session seeder = started(); Session leecher = started()) {
            seeder.add(t.metainfo(), TorrentOptions.in(dir.resolve("seed"))).completion().get(10, TimeUnit.SECONDS);
            // Slow enough (1 MiB/s) that the flood runs through most of the download.
            TorrentHandle h = leecher.add(t.metainfo(), TorrentOptions.in(dir.resolve("out")).withPeers(List.of(at(seeder)))
                    .withRateLimits(0, 1 << 20));
            await(() -> h.state() == TorrentState.DOWNLOADING, "running");
            int pieces = t.metainfo().info().pieceCount();
            byte[] huge = payload(5000, leecher.listenPort());
            try (ScriptedPexPeer flooder = ScriptedPexPeer.dial(at(leecher), t.metainfo().infoHash(), pieces)) {
                flooder.greet(true, 0);
                flooder.awaitTheirs();
                int sent = 0;
                while (!h.completion().isDone() && sent < 40) {
                    flooder.sendPex(PexMessage.LOCAL_ID, huge);
                    sent++;
                    Thread.sleep(100);
                }
                h.completion().get(30, TimeUnit.SECONDS);
                PeerExchange exchange = h.liveRun().orElseThrow().exchange().orElseThrow();
                int expected = sent;
                await(() -> exchange.messagesReceived() + exchange.messagesIgnored() == expected, "every message seen");
                assertThat(sent).isGreaterThan(PeerExchange.MAX_MESSAGES_PER_WINDOW);
                assertThat(exchange.messagesReceived()).isEqualTo(PeerExchange.MAX_MESSAGES_PER_WINDOW);
                assertThat(h.peerSources().get(PeerSource.EXCHANGE)).isBetween(1, PeerExchange.MAX_LEARNT_PER_PEER);
                assertThat(h.liveRun().orElseThrow().peerSet().knows(at(leecher))).as("ourselves").isFalse();
                assertThat(flooder.closedByPeer).as("ignored, not dropped").isFalse();
            }
        }
        assertSameFiles(t, dir.resolve("out"));
    }

    /** {@code count} loopback contacts no one listens on (127.2.x.y), 127.0.0.1:{@code firstPort} first if it is > 0. */
    private static byte[] payload(int count, int firstPort) {
        ByteBuffer added = ByteBuffer.allocate(6 * count);
        for (int i = 0; i < count; i++) {
            if (i == 0 && firstPort > 0) added.put(new byte[] {127, 0, 0, 1}).putShort((short) firstPort);
            else added.put(new byte[] {127, 2, (byte) (i >> 8), (byte) i}).putShort((short) (2000 + i));
        }
        Map<String, Object> dict = new TreeMap<>();
        dict.put("added", added.array());
        dict.put("added.f", new byte[count]);
        return Bencode.encode(dict);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
            Thread.sleep(20);
        }
    }
}
