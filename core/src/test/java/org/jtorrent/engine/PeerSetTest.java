package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.FakePeer;
import org.jtorrent.testing.ScriptedHttpTracker;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.wire.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How the download dials: back-off from peers that refuse us, and the connection cap. */
@Timeout(30)
class PeerSetTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = TestTorrent.single("p.bin", 256 * 1024, 16 * 1024);

    /**
     * A peer that accepts and hangs up at once (before any handshake) is dialled again only after
     * 0.5, 1, 2 s: in 5 s three to five attempts, with growing gaps, never a
     * tight loop.
     */
    @Test
    void aPeerThatRefusesUsIsDialledWithExponentialBackoff() throws Exception {
        List<Long> attempts = new CopyOnWriteArrayList<>();
        try (ServerSocket refuser = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!refuser.isClosed()) {
                    try (Socket s = refuser.accept()) {
                        attempts.add(System.nanoTime());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", refuser.getLocalPort());
            // Plaintext only: under PREFER each dial is an MSE attempt and its plaintext retry, two accepts.
            DownloadOptions plaintextOnly = DownloadOptions.defaults(dir, List.of(address));
            plaintextOnly = plaintextOnly.withPeerConfig(plaintextOnly.peer().withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE));
            try (Download d = Download.start(torrent.metainfo(), plaintextOnly)) {
                Thread.sleep(5000);
            }
        }
        assertThat(attempts).hasSizeBetween(3, 5);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) gaps.add((attempts.get(i) - attempts.get(i - 1)) / 1_000_000);
        assertThat(gaps.get(0)).as("first gap, ms").isBetween(400L, 1500L);
        for (int i = 1; i < gaps.size(); i++) {
            assertThat(gaps.get(i)).as("gaps grow: " + gaps).isGreaterThan(gaps.get(i - 1));
        }
    }

    /** Five seeders that serve slowly, a cap of two: never more than two open at once, and it completes. */
    @Test
    void theConnectionCapHoldsWithMoreCandidatesThanRoom() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<FakePeer> seeders = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                seeders.add(new FakePeer(torrent, new FakePeer.Behaviour() {
                    @Override
                    public void afterUnchoke(FakePeer.Link link) {
                        most.accumulateAndGet(open.incrementAndGet(), Math::max);
                    }

                    @Override
                    public void onRequest(FakePeer.Link link, Message.Request r) throws IOException {
                        sleep(5);
                        link.send(new Message.Piece(r.piece(), r.begin(), link.block(r)));
                    }

                    @Override
                    public void closed(FakePeer.Link link) {
                        open.decrementAndGet();
                    }
                }));
            }
            List<InetSocketAddress> addresses = seeders.stream().map(FakePeer::address).toList();
            try (Download d = Download.start(torrent.metainfo(), DownloadOptions.defaults(dir, addresses).withMaxPeers(2))) {
                assertThat(d.awaitComplete(Duration.ofSeconds(20))).isTrue();
                assertThat(d.torrent().connectionCount()).isLessThanOrEqualTo(2);
            }
            assertThat(most.get()).isBetween(1, 2);
        } finally {
            for (FakePeer f : seeders) f.close();
        }
    }

    /**
     * Issue 13, finding 7: every peer a tracker named was kept (a 4 MiB reply holds ~700,000) and
     * due() scanned them all four times a second. The first reply names 100,000 dead peers: the list
     * stops at the cap. Later replies name the seeder among 2,999 other dead peers: they take the
     * places of candidates that failed, the list stays at the cap, and the download completes.
     */
    @Test
    void aHugeTrackerReplyLeavesTheCandidateListAtTheCapAndNewcomersReplaceFailedOnes() throws Exception {
        try (FakePeer seeder = new FakePeer(torrent, (link, r) -> link.send(new Message.Piece(r.piece(), r.begin(), link.block(r))));
             ScriptedHttpTracker tracker = ScriptedHttpTracker.start((n, target) ->
                     ScriptedHttpTracker.reply(Bencode.encode(Map.of("interval", 1,
                             "peers", n == 0 ? deadPeers(2, 100_000, null) : deadPeers(9, 2_999, seeder.address())))))) {
            TestTorrent tracked = torrent.withTrackers(List.of(List.of(tracker.uri().toString())));
            TrackerConfig everySecond = TrackerConfig.DEFAULT.withMinInterval(Duration.ofSeconds(1));
            DownloadOptions options = DownloadOptions.defaults(dir, List.of()).withMaxPeers(200).withTrackers(true, everySecond);
            try (Download d = Download.start(tracked.metainfo(), options)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (d.knownPeers() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
                assertThat(d.knownPeers()).as("after the first reply").isEqualTo(PeerSet.MAX_CANDIDATES);

                int most = 0;
                while (!d.awaitComplete(Duration.ofMillis(100))) {
                    most = Math.max(most, d.knownPeers());
                    assertThat(System.nanoTime()).as("completed from the seeder of a later reply").isLessThan(deadline + 10_000_000_000L);
                }
                assertThat(most).isLessThanOrEqualTo(PeerSet.MAX_CANDIDATES);
                assertThat(tracker.requests().size()).as("the seeder came with a later reply").isGreaterThan(1);
            }
        }
    }

    /** Compact peers at 127.SUBNET.x.y port 9, where nothing listens; the seeder first if given. */
    private static byte[] deadPeers(int subnet, int count, InetSocketAddress seeder) {
        ByteBuffer peers = ByteBuffer.allocate(6 * (count + (seeder == null ? 0 : 1)));
        if (seeder != null) peers.put(seeder.getAddress().getAddress()).putShort((short) seeder.getPort());
        for (int i = 0; i < count; i++) {
            peers.put(new byte[] {127, (byte) (subnet + (i >> 16)), (byte) (i >> 8), (byte) i}).putShort((short) 9);
        }
        return peers.array();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
