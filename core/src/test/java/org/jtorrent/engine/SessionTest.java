package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.storage.ChannelOpener;
import org.jtorrent.storage.FailingChannel;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.jtorrent.wire.Handshake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many torrents in one session: one port, routing by info-hash, the torrent states, queueing, errors kept to one torrent. */
@Timeout(120)
class SessionTest {
    @TempDir
    Path dir;

    private final List<Session> sessions = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeSessions() throws IOException {
        for (Session s : sessions) s.close();
    }

    /** A started session on loopback with room for {@code active} downloads and seeds, and quick choking. */
    private Session session(int active) throws IOException {
        return session(SessionConfig.defaults().withQueue(active, active, Duration.ofMinutes(1), 2048));
    }

    private Session session(SessionConfig config) throws IOException {
        Session s = new Session(config.withLimits(config.limits().quick()));
        sessions.add(s);
        s.start();
        return s;
    }

    private static List<TestTorrent> torrents(int count) {
        List<TestTorrent> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(i % 2 == 0
                    ? TestTorrent.single("single-" + i + ".bin", 200_000 + i * 1_000, 32 * 1024)
                    : TestTorrent.multi("multi-" + i, 16 * 1024, Spec.file("a.bin", 40_000 + i), Spec.pad(16 * 1024 - (40_000 + i) % (16 * 1024)),
                            Spec.file("sub/b.bin", 70_000), Spec.file("empty.txt", 0)));
        }
        return all;
    }

    private TorrentHandle seed(Session seeder, TestTorrent t) throws IOException {
        Path data = dir.resolve("seed");
        t.writeTo(data);
        return seeder.add(t.metainfo(), TorrentOptions.in(data));
    }

    private static TorrentOptions leechFrom(Path folder, Session seeder) {
        return TorrentOptions.in(folder).withPeers(List.of(new InetSocketAddress("127.0.0.1", seeder.listenPort())));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static void assertSameBytes(TestTorrent t, Path folder) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            if (f.isPadding()) continue;
            assertThat(Files.readAllBytes(f.resolveIn(folder))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    @Test
    void twentyTorrentsMoveBetweenTwoSessionsEachOnOnePort() throws Exception {
        List<TestTorrent> all = torrents(20);
        Session seeder = session(20);
        Session leecher = session(20);
        for (TestTorrent t : all) seed(seeder, t);
        Path out = dir.resolve("leech");
        List<TorrentHandle> handles = new ArrayList<>();
        for (TestTorrent t : all) handles.add(leecher.add(t.metainfo(), leechFrom(out, seeder)));
        for (TorrentHandle h : handles) h.completion().get(60, TimeUnit.SECONDS);
        for (TestTorrent t : all) assertSameBytes(t, out);
        for (TorrentHandle h : handles) {
            assertThat(h.state()).isEqualTo(TorrentState.SEEDING);
            assertThat(h.status().progress()).isEqualTo(1.0);
            // Every torrent's peer is the seeding session's one port.
            assertThat(h.peers()).extracting(PeerStatus::address).containsOnly("/127.0.0.1:" + seeder.listenPort());
        }
        // And the leeching session serves all twenty on its one port: a handshake for each is answered.
        for (TestTorrent t : all) {
            assertThat(handshakeReply(leecher.listenPort(), t.metainfo().infoHash())).isEqualTo(t.metainfo().infoHash());
        }
        assertThat(seeder.torrents()).allSatisfy(h -> assertThat(h.status().uploadedBytes()).isPositive());
    }

    @Test
    void aConnectionForATorrentTheSessionDoesNotServeIsClosedUnanswered() throws Exception {
        Session s = session(5);
        TestTorrent served = torrents(1).get(0);
        TorrentHandle h = seed(s, served);
        h.completion().get(30, TimeUnit.SECONDS); // a torrent complete from the start completes too
        assertThat(h.state()).isEqualTo(TorrentState.SEEDING);
        InfoHash unknown = InfoHash.of(new byte[20]);
        assertThat(handshakeReply(s.listenPort(), unknown)).isNull();
        assertThat(handshakeReply(s.listenPort(), served.metainfo().infoHash())).isEqualTo(served.metainfo().infoHash());
    }

    /** Sends a handshake for {@code infoHash}; returns the info-hash of the reply, or null if the connection closes first. */
    private static InfoHash handshakeReply(int port, InfoHash infoHash) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new Handshake(infoHash, PeerId.random(), true, true).encode());
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[Handshake.LENGTH];
            try {
                new DataInputStream(in).readFully(reply);
            } catch (java.io.EOFException | java.net.SocketException closed) {
                return null;
            }
            return Handshake.read(new java.io.ByteArrayInputStream(reply)).infoHash();
        }
    }

    @Test
    void aSessionKeptInAStateDirectoryComesBackAsItWasLeft() throws Exception {
        List<TestTorrent> three = torrents(3);
        Session seeder = session(5);
        for (TestTorrent t : three) seed(seeder, t);
        Path stateDir = dir.resolve("state");
        Path out = dir.resolve("leech");
        try (org.jtorrent.state.StateDirectory state = org.jtorrent.state.StateDirectory.open(stateDir)) {
            Session first = new Session(SessionConfig.defaults(), state, Duration.ofMillis(200));
            sessions.add(first);
            first.start();
            TorrentHandle done = first.add(three.get(0).metainfo(), leechFrom(out, seeder));
            TorrentHandle paused = first.add(three.get(1).metainfo(), leechFrom(out, seeder).withPaused(true));
            TorrentHandle pausedLater = first.add(three.get(2).metainfo(), leechFrom(out, seeder));
            done.completion().get(60, TimeUnit.SECONDS);
            await(() -> paused.state() == TorrentState.PAUSED, "paused after its check");
            pausedLater.completion().get(60, TimeUnit.SECONDS);
            pausedLater.pause();
            first.close();
        }
        try (org.jtorrent.state.StateDirectory state = org.jtorrent.state.StateDirectory.open(stateDir)) {
            Session again = new Session(SessionConfig.defaults(), state, Duration.ofMillis(200));
            sessions.add(again);
            again.start();
            List<TorrentHandle> back = again.torrents();
            assertThat(back).extracting(TorrentHandle::infoHash)
                    .containsExactly(three.get(0).metainfo().infoHash(), three.get(1).metainfo().infoHash(),
                            three.get(2).metainfo().infoHash());
            await(() -> back.get(0).state() == TorrentState.SEEDING, "the complete one seeding again");
            await(() -> back.get(1).state() == TorrentState.PAUSED && back.get(2).state() == TorrentState.PAUSED, "paused ones paused");
            assertThat(back.get(0).status().downloadedBytes()).as("counters kept").isPositive();
            assertThat(back.get(0).status().haveBytes()).isEqualTo(back.get(0).status().totalBytes());
            // The one paused before it had anything resumes (peers given by hand are not kept: given again) and completes.
            back.get(1).addPeers(List.of(new InetSocketAddress("127.0.0.1", seeder.listenPort())));
            back.get(1).resume();
            back.get(1).completion().get(60, TimeUnit.SECONDS);
            for (TestTorrent t : three) assertSameBytes(t, out);
        }
    }

    /**
     * Forty torrents added at once change state over a hundred times (checked, queued, seeding),
     * each waking the session's loops: the passes over every torrent (the state thread's look at
     * what each verified, the queue loop's rate samples) stay at one a second, not one per wake-up.
     */
    @Test
    void thePassesOverEveryTorrentStayOnceASecondHoweverOftenTheLoopsAreWoken() throws Exception {
        try (org.jtorrent.state.StateDirectory state = org.jtorrent.state.StateDirectory.open(dir.resolve("state"))) {
            Session s = new Session(SessionConfig.defaults().withQueue(40, 40, Duration.ofMinutes(1), 2048), state,
                    Duration.ofMillis(200));
            sessions.add(s);
            long start = System.nanoTime();
            s.start();
            List<TorrentHandle> handles = new ArrayList<>();
            for (TestTorrent t : torrents(40)) handles.add(seed(s, t));
            await(() -> handles.stream().allMatch(h -> h.state() == TorrentState.SEEDING), "all seeding");
            Thread.sleep(1200); // a second pass at least, so the bound below is not met by doing nothing
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertThat(s.statePasses()).isBetween(1L, seconds + 2);
            assertThat(s.queueSamples()).isBetween(1L, seconds + 2);
            s.close();
        }
    }

    @Test
    void aLongSeedingTorrentKeepsABoundedReportOfTheConnectionsItHad() throws Exception {
        Session s = session(5);
        TestTorrent served = torrents(1).get(0);
        TorrentHandle h = seed(s, served);
        await(() -> h.state() == TorrentState.SEEDING, "seeding");
        Torrent torrent = h.liveTorrent().orElseThrow();
        // Batches of 25, half the torrent's connection cap: a batch that arrives while the last
        // one's connections are still closing may find the cap full (then it is refused and leaves
        // no summary), so batches go on until the report is full, and then 50 more connections come.
        int batches = 0;
        while (torrent.summaries().size() < Torrent.FINISHED_KEPT && batches++ < 3 * Torrent.FINISHED_KEPT / 25) {
            handshakeBatch(s, served, 25);
        }
        handshakeBatch(s, served, 25);
        handshakeBatch(s, served, 25);
        await(() -> torrent.connectionCount() == 0, "every connection closed");
        assertThat(torrent.summaries()).hasSize(Torrent.FINISHED_KEPT);
    }

    /** {@code count} handshakes at once for {@code t}, each closing once it has our reply. */
    private static void handshakeBatch(Session s, TestTorrent t, int count) throws InterruptedException {
        List<Thread> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(Thread.ofVirtual().start(() -> {
                try {
                    handshakeReply(s.listenPort(), t.metainfo().infoHash());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread th : batch) th.join();
    }

    @Test
    void aPausedTorrentMovesNoPayloadAndResumesWhereItStopped() throws Exception {
        TestTorrent t = TestTorrent.single("slow.bin", 2 * 1024 * 1024, 32 * 1024);
        Session seeder = session(5);
        TorrentHandle seeding = seed(seeder, t);
        Session leecher = session(5);
        // 512 KiB/s: four seconds for the whole, so the pause lands mid-download.
        TorrentOptions slow = leechFrom(dir.resolve("leech"), seeder)
                .withRateLimits(0, 512 * 1024);
        TorrentHandle h = leecher.add(t.metainfo(), slow);
        await(() -> h.status().haveBytes() > 0, "a first piece");
        h.pause();
        assertThat(h.state()).isEqualTo(TorrentState.PAUSED);
        assertThat(h.peers()).isEmpty();
        TorrentStatus atPause = h.status();
        long sentAtPause = seeding.status().uploadedBytes();
        Thread.sleep(1500);
        TorrentStatus later = h.status();
        assertThat(later.downloadedBytes()).as("nothing received while paused").isEqualTo(atPause.downloadedBytes());
        assertThat(later.haveBytes()).isEqualTo(atPause.haveBytes());
        assertThat(later.haveBytes()).isLessThan(later.totalBytes());
        // The seeder's side may finish sending what was in flight at the pause, then nothing.
        long sentSettled = seeding.status().uploadedBytes();
        Thread.sleep(1000);
        assertThat(seeding.status().uploadedBytes()).isEqualTo(sentSettled).isGreaterThanOrEqualTo(sentAtPause);
        h.resume();
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, dir.resolve("leech"));
        // What was had at the pause was not fetched again (in-flight blocks at most).
        assertThat(h.status().downloadedBytes()).isLessThan(t.metainfo().info().totalLength() + 256 * 1024);
    }

    @Test
    void aPausedSeedServesNothing() throws Exception {
        TestTorrent t = TestTorrent.single("paused.bin", 256 * 1024, 32 * 1024);
        Session seeder = session(5);
        TorrentHandle seeding = seed(seeder, t);
        await(() -> seeding.state() == TorrentState.SEEDING, "seeding");
        seeding.pause();
        Session leecher = session(5);
        TorrentHandle h = leecher.add(t.metainfo(), leechFrom(dir.resolve("leech"), seeder));
        await(() -> h.state() == TorrentState.DOWNLOADING, "downloading");
        Thread.sleep(1500);
        assertThat(h.status().downloadedBytes()).isZero();
        assertThat(seeding.status().uploadedBytes()).isZero();
        seeding.resume();
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, dir.resolve("leech"));
    }

    /**
     * Under a session upload limit each running torrent charges its own fair share of it beside
     * the session's bucket (FairShares); a paused torrent gives its share back. Downloads complete
     * through the shares.
     */
    @Test
    void runningTorrentsHoldFairSharesOfTheSessionLimitsAndGiveThemBack() throws Exception {
        List<TestTorrent> two = torrents(2);
        SessionConfig limited = SessionConfig.defaults().withLimits(SessionConfig.defaults().limits()
                .withUpload(RateLimiter.of(TokenBucket.perSecond(4 << 20))));
        Session seeder = session(limited);
        List<TorrentHandle> seeds = new ArrayList<>();
        for (TestTorrent t : two) seeds.add(seed(seeder, t));
        await(() -> seeds.stream().allMatch(h -> h.state() == TorrentState.SEEDING), "seeding");
        assertThat(seeder.context().uploadShares().size()).as("shares of the upload limit").isEqualTo(2);
        assertThat(seeder.context().downloadShares().size()).as("no download limit: no shares kept").isZero();
        assertThat(seeds.get(0).liveTorrent().orElseThrow().limits().upload().buckets()).as("its share, then the session's")
                .hasSize(2).endsWith(limited.limits().upload().buckets().get(0));

        Session leecher = session(5);
        List<TorrentHandle> leeches = new ArrayList<>();
        for (TestTorrent t : two) leeches.add(leecher.add(t.metainfo(), leechFrom(dir.resolve("leech"), seeder)));
        for (TorrentHandle h : leeches) h.completion().get(60, TimeUnit.SECONDS);
        for (TestTorrent t : two) assertSameBytes(t, dir.resolve("leech"));
        seeds.get(1).pause();
        await(() -> seeder.context().uploadShares().size() == 1, "the paused torrent's share given back");
    }

    @Test
    void removeKeepsOrDeletesTheDataAsAsked() throws Exception {
        List<TestTorrent> two = torrents(2);
        Session seeder = session(5);
        for (TestTorrent t : two) seed(seeder, t);
        Session leecher = session(5);
        Path out = dir.resolve("leech");
        TorrentHandle kept = leecher.add(two.get(0).metainfo(), leechFrom(out, seeder));
        TorrentHandle deleted = leecher.add(two.get(1).metainfo(), leechFrom(out, seeder));
        kept.completion().get(60, TimeUnit.SECONDS);
        deleted.completion().get(60, TimeUnit.SECONDS);
        Files.writeString(out.resolve("multi-1").resolve("mine.txt"), "a file of the user's, in the torrent's folder");
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        leecher.listen(events::add);

        kept.remove(false);
        deleted.remove(true);

        assertThat(leecher.torrents()).isEmpty();
        assertSameBytes(two.get(0), out);
        assertThat(out.resolve("multi-1").resolve("a.bin")).doesNotExist();
        assertThat(out.resolve("multi-1").resolve("sub")).doesNotExist();
        assertThat(out.resolve("multi-1").resolve("mine.txt")).exists();
        assertThat(handshakeReply(leecher.listenPort(), two.get(0).metainfo().infoHash())).as("no longer served").isNull();
        await(() -> events.stream().filter(e -> e instanceof SessionEvent.Removed).count() == 2, "removed events");
        assertThat(events).contains(new SessionEvent.Removed(deleted.infoHash(), true), new SessionEvent.Removed(kept.infoHash(), false));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails, not hangs
    void removingATorrentWhileTheStateLoopSavesItsRecordDoesNotDeadlock() throws Exception {
        // remove() held the handle's transitions lock while waiting for a save of the record, and the save takes
        // that lock to snapshot the verified pieces: a removal right after a state change (a check ending) hung.
        TestTorrent t = TestTorrent.single("removed.bin", 64 * 1024, 16 * 1024);
        Path data = dir.resolve("data");
        t.writeTo(data);
        try (org.jtorrent.state.StateDirectory state = org.jtorrent.state.StateDirectory.open(dir.resolve("state"))) {
            Session s = new Session(SessionConfig.defaults(), state, Duration.ofMillis(200));
            sessions.add(s);
            s.start();
            for (int i = 0; i < 300; i++) {
                TorrentHandle h = s.add(t.metainfo(), TorrentOptions.in(data));
                await(() -> h.state() != TorrentState.CHECKING, "the check");
                h.remove(false);
            }
            assertThat(s.torrents()).isEmpty();
        }
    }

    @Test
    void recheckFindsADamagedPieceAndFetchesItAgain() throws Exception {
        TestTorrent t = TestTorrent.single("recheck.bin", 512 * 1024, 32 * 1024);
        Session seeder = session(5);
        seed(seeder, t);
        Session leecher = session(5);
        Path out = dir.resolve("leech");
        TorrentHandle h = leecher.add(t.metainfo(), leechFrom(out, seeder));
        h.completion().get(60, TimeUnit.SECONDS);
        List<TorrentState> states = new CopyOnWriteArrayList<>();
        leecher.listen(e -> {
            if (e instanceof SessionEvent.StateChanged c) states.add(c.to());
        });
        Path file = out.resolve("recheck.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[100_000] ^= 1; // piece 3
        Files.write(file, bytes);

        h.recheck();
        await(() -> states.contains(TorrentState.SEEDING), "seeding again");
        assertThat(states).containsSubsequence(TorrentState.CHECKING, TorrentState.QUEUED, TorrentState.DOWNLOADING,
                TorrentState.SEEDING);
        assertSameBytes(t, out);
    }

    @Test
    void theQueueRunsAtMostTheActiveLimitAndTheRestInOrder() throws Exception {
        List<TestTorrent> four = torrents(4);
        Session seeder = session(10);
        for (TestTorrent t : four) seed(seeder, t);
        // Two downloads at once; each slowed so they overlap.
        Session leecher = session(SessionConfig.defaults().withQueue(2, 10, Duration.ofMinutes(1), 2048));
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        leecher.listen(events::add);
        List<TorrentHandle> handles = new ArrayList<>();
        for (TestTorrent t : four) {
            handles.add(leecher.add(t.metainfo(), leechFrom(dir.resolve("leech"), seeder)
                    .withRateLimits(0, 200 * 1024)));
        }
        int most = 0;
        while (!handles.stream().allMatch(h -> h.state() == TorrentState.SEEDING)) {
            int downloading = (int) handles.stream().filter(h -> h.state() == TorrentState.DOWNLOADING).count();
            most = Math.max(most, downloading);
            assertThat(downloading).isLessThanOrEqualTo(2);
            Thread.sleep(5);
        }
        assertThat(most).isEqualTo(2);
        for (TestTorrent t : four) assertSameBytes(t, dir.resolve("leech"));
        // In queue order: the third and fourth started only after the first two.
        List<InfoHash> started = events.stream()
                .filter(e -> e instanceof SessionEvent.StateChanged c && c.to() == TorrentState.DOWNLOADING)
                .map(SessionEvent::infoHash).distinct().toList();
        assertThat(started.subList(2, 4)).containsExactlyInAnyOrder(handles.get(2).infoHash(), handles.get(3).infoHash());
    }

    @Test
    void aFullDiskStopsOneTorrentWithAReasonWhileTheOthersComplete() throws Exception {
        List<TestTorrent> three = torrents(3);
        Session seeder = session(5);
        for (TestTorrent t : three) seed(seeder, t);
        // The disk is full for single-2.bin only, after its first 64 KiB.
        ChannelOpener fullForOne = p -> p.getFileName().toString().equals("single-2.bin")
                ? new FailingChannel(ChannelOpener.DEFAULT.open(p), 64 * 1024) : ChannelOpener.DEFAULT.open(p);
        SessionConfig config = SessionConfig.defaults();
        Session leecher = session(config.withStorage(config.storage().withOpener(fullForOne).withDirectWrites(false)));
        Path out = dir.resolve("leech");
        List<TorrentHandle> handles = new ArrayList<>();
        for (TestTorrent t : three) handles.add(leecher.add(t.metainfo(), leechFrom(out, seeder)));
        TorrentHandle failing = handles.get(2);
        await(() -> failing.state() == TorrentState.ERROR, "the error");
        assertThat(failing.status().error()).contains("disk full").contains("single-2.bin").doesNotContain("\n");
        assertThat(failing.peers()).isEmpty();
        handles.get(0).completion().get(60, TimeUnit.SECONDS);
        handles.get(1).completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(three.get(0), out);
        assertSameBytes(three.get(1), out);
        assertThat(List.of(handles.get(0).state(), handles.get(1).state())).containsOnly(TorrentState.SEEDING);
    }
}
