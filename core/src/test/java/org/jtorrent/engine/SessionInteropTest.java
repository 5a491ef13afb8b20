package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.testing.Aria2;
import org.jtorrent.testing.External;
import org.jtorrent.testing.ListeningSockets;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One jtorrent {@link Session} with many torrents against real clients on loopback: it downloads
 * ten torrents at once from one libtorrent session, and it seeds several torrents to a libtorrent
 * and an aria2 leecher at once, each fetching a different one, all through its one port. Every byte
 * is compared. Run in a private network namespace ({@code unshare -n}); the clients are bound to
 * 127.0.0.1 in any case. The libtorrent session is {@code bench/lt_session.py} (the harness's
 * {@code lt_client.py} holds one torrent).
 */
@Tag("interop")
@Timeout(180)
class SessionInteropTest {
    /** The tracker's 2 s interval is honoured, so our session hears of aria2 soon (the default floor is 60 s). */
    private static final TrackerConfig QUICK = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(5))
            .withMinInterval(Duration.ofSeconds(1));

    @TempDir
    Path dir;

    /** Ten torrents, five single files and five trees, of 1.6-4 MB each, in 128-512 KiB pieces. */
    private static List<TestTorrent> tenTorrents() {
        return TestTorrent.mixed(10, 8);
    }

    @Test
    void oneSessionDownloadsTenTorrentsAtOnceFromOneLibtorrentSession() throws Exception {
        List<TestTorrent> torrents = tenTorrents();
        Path seedData = dir.resolve("lt-data");
        List<String> torrentFiles = new ArrayList<>();
        for (int i = 0; i < torrents.size(); i++) {
            torrents.get(i).writeTo(seedData);
            torrentFiles.add(torrents.get(i).writeTorrent(dir.resolve(i + ".torrent")).toString());
        }
        int ltPort = freePort();
        Path ready = dir.resolve("lt-ready");
        External lt = libtorrentSeeder(dir.resolve("lt-session.log"), ready, seedData, torrentFiles, ltPort);
        try {
            awaitReady(lt, ready);
            Set<Integer> listenersBefore = ListeningSockets.ofThisProcess();
            Path out = dir.resolve("out");
            try (Session session = new Session(allActive(SessionConfig.defaults(), 10))) {
                session.start();
                InetSocketAddress seeder = new InetSocketAddress("127.0.0.1", ltPort);
                List<TorrentHandle> handles = new ArrayList<>();
                for (TestTorrent t : torrents) handles.add(session.add(t.metainfo(), TorrentOptions.in(out).withPeers(List.of(seeder))));
                try {
                    CompletableFuture.allOf(handles.stream().map(TorrentHandle::completion).toArray(CompletableFuture[]::new))
                            .get(90, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("not all complete: " + handles.stream().map(h -> h.status().name() + " "
                            + h.state() + " " + h.status().progress()).toList() + "\n" + lt.log(), e);
                }
                assertOnePort(session, listenersBefore);
                for (int i = 0; i < torrents.size(); i++) {
                    TorrentStatus s = handles.get(i).status();
                    assertThat(s.state()).as(s.name()).isEqualTo(TorrentState.SEEDING);
                    assertThat(s.downloadedBytes()).as(s.name()).isGreaterThanOrEqualTo(torrents.get(i).metainfo().info().totalLength());
                }
            }
            for (TestTorrent t : torrents) assertSameFiles(t, out);
        } finally {
            lt.stop();
        }
    }

    /**
     * The session seeds four torrents; a libtorrent leecher (told our port) fetches one and an aria2
     * leecher (finding us through a tracker) another, at the same time: the session's upload is
     * held to 2 MiB/s, so each takes seconds and the two transfers overlap (checked while they run).
     */
    @Test
    void libtorrentAndAria2LeechDifferentTorrentsFromOneSessionAtOnce() throws Exception {
        RealPeers.require("aria2c", "aria2"); // missing: fail (or skip) before any set-up
        Path python = RealPeers.pythonWithLibtorrent();
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(2)))) {
            List<TestTorrent> torrents = new ArrayList<>();
            for (TestTorrent t : TestTorrent.mixed(4, 8)) torrents.add(t.withTrackers(List.of(List.of(tracker.httpAnnounceUri().toString()))));
            Path seedData = dir.resolve("seed");
            for (TestTorrent t : torrents) t.writeTo(seedData);
            int toLibtorrent = 1, toAria2 = 3; // two trees, with nested folders and an empty file
            Set<Integer> listenersBefore = ListeningSockets.ofThisProcess();
            SessionConfig base = SessionConfig.defaults().withTrackers(true, QUICK);
            SessionConfig config = base.withLimits(base.limits().quick().withUpload(RateLimiter.of(TokenBucket.perSecond(2 << 20))));
            try (Session session = new Session(config)) {
                session.start();
                List<TorrentHandle> seeds = new ArrayList<>();
                for (TestTorrent t : torrents) seeds.add(session.add(t.metainfo(), TorrentOptions.in(seedData)));
                for (TorrentHandle h : seeds) h.completion().get(30, TimeUnit.SECONDS);
                awaitAnnounced(tracker, torrents.get(toAria2));

                Path ltOut = dir.resolve("lt-out"), aria2Out = dir.resolve("aria2-out");
                Path ltTorrent = torrents.get(toLibtorrent).writeTorrent(dir.resolve("lt.torrent"));
                Path aria2Torrent = torrents.get(toAria2).writeTorrent(dir.resolve("aria2.torrent"));
                External ltLeech = External.start(dir.resolve("lt-leech.log"), python.toString(),
                        RealPeers.harness().resolve("lt_client.py").toString(), "leech", ltTorrent.toString(), ltOut.toString(),
                        "--port", String.valueOf(freePort()), "--peer", "127.0.0.1:" + session.listenPort(), "--timeout", "90");
                External aria2Leech = Aria2.leecher(dir.resolve("aria2-leech.log"), aria2Torrent, aria2Out, freePort());
                try {
                    boolean overlapped = false;
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    while ((ltLeech.process().isAlive() || aria2Leech.process().isAlive()) && System.nanoTime() < deadline) {
                        overlapped |= servingAnIncompletePeer(seeds.get(toLibtorrent)) && servingAnIncompletePeer(seeds.get(toAria2));
                        Thread.sleep(20);
                    }
                    assertThat(ltLeech.waitFor(Duration.ofSeconds(1))).as("libtorrent leecher exit code\n" + ltLeech.log()).isZero();
                    assertThat(aria2Leech.waitFor(Duration.ofSeconds(1))).as("aria2 leecher exit code\n" + aria2Leech.log()).isZero();
                    assertThat(overlapped).as("both leechers were served at the same time").isTrue();
                } finally {
                    ltLeech.stop();
                    aria2Leech.stop();
                }
                assertSameFiles(torrents.get(toLibtorrent), ltOut);
                assertSameFiles(torrents.get(toAria2), aria2Out);

                assertOnePort(session, listenersBefore);
                assertServed(seeds.get(toLibtorrent), torrents.get(toLibtorrent), "bt-harness-lt");
                assertServed(seeds.get(toAria2), torrents.get(toAria2), "aria2");
                for (int i : new int[] {0, 2}) assertThat(seeds.get(i).status().uploadedBytes()).as("nobody asked for " + i).isZero();
            }
        }
    }

    // ---- helpers ----

    /** {@code torrents} active at once, none waiting in the default queue of 5 downloads and 10 seeds. */
    private static SessionConfig allActive(SessionConfig config, int torrents) {
        return config.withQueue(torrents, torrents, config.inactiveAfter(), config.inactiveRate());
    }

    /**
     * The session listens on one socket (the only listener this process opened since {@code before}
     * is the session's port), and every torrent in it advertises that port to its peers and trackers.
     */
    private static void assertOnePort(Session session, Set<Integer> before) throws IOException {
        assertThat(session.listenPort()).isPositive();
        Set<Integer> opened = new TreeSet<>(ListeningSockets.ofThisProcess());
        opened.removeAll(before);
        assertThat(opened).as("listening sockets opened since the session started").containsExactly(session.listenPort());
        for (TorrentHandle h : session.torrents()) {
            assertThat(h.liveTorrent()).as(h + " is running").isPresent();
            assertThat(h.liveTorrent().orElseThrow().listenPort()).as(h + " advertises the session's port")
                    .isEqualTo(session.listenPort());
        }
    }

    /** Whether the torrent is sending to a connected peer that does not have everything yet. */
    private static boolean servingAnIncompletePeer(TorrentHandle h) {
        return h.peers().stream().anyMatch(p -> p.progress() < 1.0 && p.uploadedBytes() > 0);
    }

    private static void assertServed(TorrentHandle seed, TestTorrent t, String client) {
        long size = t.metainfo().info().totalLength();
        assertThat(seed.status().uploadedBytes()).as(client + "'s torrent was uploaded whole").isGreaterThanOrEqualTo(size);
        List<PeerSummary> peers = seed.liveTorrent().orElseThrow().summaries();
        assertThat(peers).as("the torrent uploaded to " + client + ": " + peers)
                .anyMatch(p -> p.client().toLowerCase(Locale.ROOT).contains(client) && p.uploadedBytes() > 0);
    }

    /** {@code bench/lt_session.py}: one libtorrent session seeding every torrent given, on one port. */
    private static External libtorrentSeeder(Path log, Path readyFile, Path data, List<String> torrentFiles, int port)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(RealPeers.pythonWithLibtorrent().toString(),
                RealPeers.repoRoot().resolve("bench/lt_session.py").toString(), "seed", data.toString()));
        command.addAll(torrentFiles);
        command.addAll(List.of("--port", String.valueOf(port), "--ready-file", readyFile.toString()));
        return External.start(log, command.toArray(String[]::new));
    }

    private static void awaitReady(External process, Path readyFile) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(readyFile)) {
            if (!process.process().isAlive()) throw new AssertionError("libtorrent session exited\n" + process.log());
            if (System.nanoTime() > deadline) throw new AssertionError("libtorrent session never seeded\n" + process.log());
            Thread.sleep(50);
        }
    }

    private static void awaitAnnounced(TrackerServer tracker, TestTorrent t) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tracker.peerCount(t.metainfo().infoHash()) < 1) {
            assertThat(System.nanoTime()).as("the session announced to the tracker").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
