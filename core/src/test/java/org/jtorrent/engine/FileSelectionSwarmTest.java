package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File selection and sequential mode in a live swarm of jtorrent peers on loopback: a subset of a
 * torrent whose wanted files share pieces with unwanted ones (and a padding file), then the rest,
 * live or on the next start, without fetching the shared pieces twice.
 */
@Timeout(60)
class FileSelectionSwarmTest {
    @TempDir
    Path dir;

    @Test
    void aSubsetThenTheRestWhileRunningFetchesNoSharedPieceTwice() throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        try (Download seed = seeder(t)) {
            Path out = dir.resolve("leech");
            try (Download leech = Download.start(t.metainfo(), options(out, seed).withFilePriorities(StraddlingTorrent.SOME))) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(leech.torrent().isSeed()).isFalse();
                assertThat(leech.torrent().have()).isEqualTo(StraddlingTorrent.wantedPieces());
                assertThat(leech.torrent().verifiedBytes()).isEqualTo(bytes(t, StraddlingTorrent.wantedPieces()));
                assertSubset(t, out);
                assertThat(leech.torrent().haveWantedBytes()).isEqualTo(leech.torrent().wantedBytes())
                        .isEqualTo(bytes(t, StraddlingTorrent.wantedPieces()));
                long firstPhase = leech.torrent().verifiedBytes();

                // The peers are not interesting any more: selecting the rest must make them so again.
                leech.torrent().filePriorities(StraddlingTorrent.ALL);
                assertThat(leech.torrent().isComplete()).isFalse();
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(leech.torrent().isSeed()).isTrue();
                assertThat(leech.torrent().verifiedBytes() - firstPhase).as("only the pieces of the rest, not the shared ones")
                        .isEqualTo(bytes(t, StraddlingTorrent.restPieces()));
            }
            assertAllFiles(t, out);
            assertThat(partFile(t, out)).doesNotExist();
        }
    }

    @Test
    void aSubsetThenTheRestOnTheNextStartResumesWithoutFetchingSharedPieces() throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        try (Download seed = seeder(t)) {
            Path out = dir.resolve("leech");
            try (Download leech = Download.start(t.metainfo(), options(out, seed).withFilePriorities(StraddlingTorrent.SOME))) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
            }
            assertSubset(t, out);
            assertThat(partFile(t, out)).exists();
            try (Download leech = Download.start(t.metainfo(), options(out, seed))) { // every file, the default
                // The download may be under way already: what it had at start is at least the first subset.
                java.util.BitSet resumed = leech.torrent().have();
                resumed.and(StraddlingTorrent.wantedPieces());
                assertThat(resumed).as("resumed, shared pieces included").isEqualTo(StraddlingTorrent.wantedPieces());
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(leech.torrent().verifiedBytes()).isEqualTo(bytes(t, StraddlingTorrent.restPieces()));
            }
            assertAllFiles(t, out);
        }
    }

    /**
     * A finished download puts off seeds that disconnect (nothing to get from them); selecting more
     * makes them due at once, not after the 30 s put-off.
     */
    @Test
    void seedsPutOffWhileFinishedAreDialledAgainWhenMoreIsSelected() throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        Path data = dir.resolve("seed");
        try (Download first = seeder(t); Download leech = Download.start(t.metainfo(), options(dir.resolve("leech"), first)
                .withFilePriorities(StraddlingTorrent.SOME))) {
            int port = first.listenPort();
            assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
            first.close();
            // The closed seed comes due after 0.5 s; finished, the leech then puts it off for 30 s.
            Thread.sleep(2000);
            try (Download again = Download.start(t.metainfo(), DownloadOptions.defaults(data, List.of()).withListenPort(port))) {
                leech.torrent().filePriorities(StraddlingTorrent.ALL);
                assertThat(leech.awaitComplete(Duration.ofSeconds(10))).as("the seed was dialled again at once").isTrue();
            }
        }
    }

    /**
     * Priorities flipped at random while blocks land, some pieces spilling to disk half-written
     * (a small memory cap), then every file selected: the torrent completes byte-exact and the part
     * file is gone. What moves between the part file and the files must never lose a byte.
     */
    @Test
    void prioritiesFlippedWhileBlocksLandLoseNothing() throws Exception {
        TestTorrent t = TestTorrent.multi("flip", 16 * 1024,
                TestTorrent.Spec.file("a", 100_001), TestTorrent.Spec.file("b", 7_000), TestTorrent.Spec.file("c", 250_000),
                TestTorrent.Spec.file("d/e", 33_333), TestTorrent.Spec.file("f", 1), TestTorrent.Spec.file("g", 400_000),
                TestTorrent.Spec.file("h", 65_536), TestTorrent.Spec.file("i", 123_456));
        int files = t.metainfo().info().files().size();
        try (Download seed = seeder(t)) {
            Path out = dir.resolve("leech");
            java.util.Random random = new java.util.Random(42);
            try (Download leech = Download.start(t.metainfo(), options(out, seed).withMemoryCap(40_000)
                    .withLimits(TransferLimits.DEFAULT.withDownload(org.jtorrent.choke.RateLimiter.of(org.jtorrent.choke.TokenBucket.perSecond(1_000_000)))))) {
                int round = 0;
                for (; round < 100 && !leech.torrent().isSeed(); round++) {
                    int[] levels = new int[files];
                    for (int f = 0; f < files; f++) levels[f] = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(7);
                    leech.torrent().filePriorities(levels);
                    Thread.sleep(10);
                }
                assertThat(round).as("the flips overlapped the download").isGreaterThanOrEqualTo(20);
                leech.torrent().filePriorities(org.jtorrent.metainfo.Priorities.allFiles(t.metainfo().info().layout(), 4));
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
            }
            assertAllFiles(t, out);
            assertThat(partFile(t, out)).doesNotExist();
        }
    }

    /**
     * A piece asked for by itself, in a file left out: fetched, verified, kept in the part file,
     * and the file still not created. Nothing wanted at first means finished at once.
     */
    @Test
    void aSinglePieceOfAFileLeftOutIsFetchedIntoThePartFile() throws Exception {
        TestTorrent t = TestTorrent.single("one.bin", 10 * 16384, 16384);
        try (Download seed = seeder(t)) {
            Path out = dir.resolve("leech");
            try (Download leech = Download.start(t.metainfo(), DownloadOptions.defaults(out, List.of()).withFilePriorities(new int[] {0}))) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(1))).as("nothing wanted: finished").isTrue();
                leech.torrent().piecePriority(3, 7);
                assertThat(leech.torrent().isComplete()).isFalse();
                leech.addPeers(List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(leech.torrent().have()).isEqualTo(StraddlingTorrent.bits(3));
                assertThat(leech.torrent().read(new org.jtorrent.wire.BlockRef(3, 0, 16384))).isEqualTo(t.piece(3));
            }
            assertThat(out.resolve("one.bin")).doesNotExist();
            assertThat(partFile(t, out)).exists();
        }
        assertThat(DownloadOptions.defaults(dir, List.of()).withFilePriorities(new int[] {0, 4}).selection())
                .isEqualTo(new Selection(new int[] {0, 4}, false, false));
    }

    /**
     * Every piece verifies less than a window past the lowest piece not verified yet, whichever of
     * two seeders sends it. The same check fails under rarest first (random first pieces), so it
     * tells the modes apart.
     */
    @Test
    void sequentialModeVerifiesPiecesInOrderWithinTheWindow() throws Exception {
        TestTorrent t = TestTorrent.single("stream.bin", 4 * 1024 * 1024, 16 * 1024); // 256 pieces
        int window = 8;
        try (Download seed1 = seeder(t); Download seed2 = seeder(t, "seed2")) {
            List<Integer> outOfWindow = runRecordingOrder(t, "sequential", true, window, seed1, seed2);
            assertThat(outOfWindow).as("pieces verified a window or more past the first missing one").isEmpty();
            List<Integer> rarestFirst = runRecordingOrder(t, "rarest", false, window, seed1, seed2);
            assertThat(rarestFirst).as("rarest first ignores the window").isNotEmpty();
        }
    }

    private List<Integer> runRecordingOrder(TestTorrent t, String name, boolean sequential, int window, Download... seeds)
            throws Exception {
        List<InetSocketAddress> peers = new java.util.ArrayList<>();
        for (Download s : seeds) peers.add(new InetSocketAddress("127.0.0.1", s.listenPort()));
        return downloadRecordingOrder(t, dir.resolve(name), sequential, window, peers);
    }

    /** Downloads from {@code peers} in the mode given; returns the pieces that verified outside the window. */
    static List<Integer> downloadRecordingOrder(TestTorrent t, Path out, boolean sequential, int window,
                                                List<InetSocketAddress> peers) throws Exception {
        List<Integer> outside = new CopyOnWriteArrayList<>();
        // No peers at start: the listener is in place before the first piece can verify.
        try (Download leech = Download.start(t.metainfo(), DownloadOptions.defaults(out, List.of())
                .withSequential(sequential, false))) {
            Torrent torrent = leech.torrent();
            torrent.sequentialWindow(window);
            torrent.verifiedListener(piece -> {
                BitSet have = torrent.have();
                have.clear(piece);
                // Pieces verifying at the same time may be in "have" already: that only raises the
                // lowest missing piece, which makes the check stricter, never looser.
                if (piece >= have.nextClearBit(0) + window) outside.add(piece);
            });
            leech.addPeers(peers);
            assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(Files.readAllBytes(out.resolve(t.metainfo().info().name()))).isEqualTo(t.content());
        return outside;
    }

    private Download seeder(TestTorrent t) throws Exception {
        return seeder(t, "seed");
    }

    private Download seeder(TestTorrent t, String name) throws Exception {
        Path data = dir.resolve(name);
        t.writeTo(data);
        Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(data, List.of()));
        assertThat(seed.torrent().isSeed()).isTrue();
        return seed;
    }

    private static DownloadOptions options(Path out, Download seed) {
        return DownloadOptions.defaults(out, List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
    }

    static long bytes(TestTorrent t, BitSet pieces) {
        PieceLayout layout = t.metainfo().info().layout();
        long sum = 0;
        for (int p = pieces.nextSetBit(0); p >= 0; p = pieces.nextSetBit(p + 1)) sum += layout.pieceSize(p);
        return sum;
    }

    private static Path partFile(TestTorrent t, Path out) {
        return out.resolve("." + t.metainfo().infoHash().hex() + ".jtorrent-parts");
    }

    /** Wanted files byte-exact; files left out (padding too) absent, with no folder made for them. */
    static void assertSubset(TestTorrent t, Path out) throws IOException {
        List<FileEntry> files = t.metainfo().info().files();
        for (int f : StraddlingTorrent.WANTED_FILES) {
            assertThat(Files.readAllBytes(files.get(f).resolveIn(out))).as(files.get(f).displayPath()).isEqualTo(t.expected(files.get(f)));
        }
        for (int f : StraddlingTorrent.LEFT_OUT) assertThat(files.get(f).resolveIn(out)).as(files.get(f).displayPath()).doesNotExist();
        assertThat(out.resolve("sel/sub")).doesNotExist();
    }

    /** Every file byte-exact; padding files never written. */
    static void assertAllFiles(TestTorrent t, Path out) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            if (f.isPadding()) assertThat(f.resolveIn(out)).as(f.displayPath()).doesNotExist();
            else assertThat(Files.readAllBytes(f.resolveIn(out))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }
}
