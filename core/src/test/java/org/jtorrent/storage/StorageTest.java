package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;
import static org.jtorrent.testing.TestTorrent.Spec.pad;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageTest {
    @TempDir
    Path dir;
    private final PieceHasher hasher = new PieceHasher(2);

    @AfterEach
    void stop() {
        hasher.close();
    }

    /** Files that start and end inside pieces, on piece boundaries, empty ones between, nested dirs. */
    static TestTorrent awkward() {
        return TestTorrent.multi("top", 32 * 1024,
                file("empty-first", 0),
                file("a", 10_000),              // ends inside piece 0
                file("d1/d2/b", 22_768),        // ends exactly on the piece 0/1 boundary
                file("d1/empty-mid", 0),
                file("c", 70_000),              // spans pieces 1, 2, 3
                file("d1/d2/d3/one-byte", 1),
                file("z-empty-last", 0),
                file("last", 1));               // last piece is tiny
    }

    @Test
    void everyBoundaryCaseRoundTripsByteExact() throws IOException {
        TestTorrent t = awkward();
        InfoDict info = t.metainfo().info();
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            for (int p = 0; p < info.pieceCount(); p++) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
            for (int p = 0; p < info.pieceCount(); p++) assertThat(readPiece(s, p)).isEqualTo(t.piece(p));
            // unaligned reads across file boundaries
            byte[] cross = new byte[5000];
            assertThat(s.read(0, 8000, ByteBuffer.wrap(cross))).isTrue();
            assertThat(cross).isEqualTo(java.util.Arrays.copyOfRange(t.content(), 8000, 13000));
        }
        for (FileEntry f : info.files()) {
            Path p = f.resolveIn(dir);
            assertThat(p).as(f.displayPath()).exists();
            assertThat(Files.readAllBytes(p)).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    @Test
    void singleFileTorrentWithOneBytePiece() throws IOException {
        TestTorrent t = TestTorrent.single("one.bin", 3 * 16384 + 1, 16384);
        InfoDict info = t.metainfo().info();
        assertThat(info.layout().pieceSize(3)).isEqualTo(1);
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            for (int p = info.pieceCount() - 1; p >= 0; p--) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
        }
        assertThat(Files.readAllBytes(dir.resolve("one.bin"))).isEqualTo(t.content());
    }

    @Test
    void emptyFilesExistBeforeAnyDataAndMissingDataReadsAsAbsent() throws IOException {
        TestTorrent t = awkward();
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            assertThat(dir.resolve("top/empty-first")).isEmptyFile();
            assertThat(dir.resolve("top/d1/empty-mid")).isEmptyFile();
            assertThat(dir.resolve("top/z-empty-last")).isEmptyFile();
            assertThat(dir.resolve("top/a")).doesNotExist();
            assertThat(readPiece(s, 0)).isNull();
            assertThat(dir.resolve("top/a")).as("reading never creates files").doesNotExist();
        }
    }

    @Test
    void paddingFilesAreNeverWrittenAndReadAsZeros() throws Exception {
        TestTorrent t = TestTorrent.multi("padded", 16384, file("a", 1000), pad(15384), file("b", 20000));
        InfoDict info = t.metainfo().info();
        assertThat(info.files().get(1).isPadding()).isTrue();
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            PartialPieces pieces = new PartialPieces(s, hasher, 1 << 20);
            for (int p = 0; p < info.pieceCount(); p++) {
                byte[] piece = t.piece(p);
                for (int b = 0; b < info.layout().blockCount(p); b++) {
                    int begin = b * PieceLayout.BLOCK_SIZE;
                    byte[] block = java.util.Arrays.copyOfRange(piece, begin, begin + info.layout().blockSize(p, b));
                    CompletableFuture<Boolean> done = pieces.add(p, begin, block);
                    if (b == info.layout().blockCount(p) - 1) assertThat(done.get()).isTrue();
                }
            }
            assertThat(readPiece(s, 0)).isEqualTo(t.piece(0));
        }
        assertThat(dir.resolve("padded/.pad")).doesNotExist();
        assertThat(Files.readAllBytes(dir.resolve("padded/a"))).isEqualTo(t.expected(info.files().get(0)));
        assertThat(Files.readAllBytes(dir.resolve("padded/b"))).isEqualTo(t.expected(info.files().get(2)));
    }

    @Test
    void openFileCapIsHonouredAndDataStaysCorrect() throws IOException {
        TestTorrent t = TestTorrent.multi("many", 16384, file("f0", 5000), file("f1", 5000), file("f2", 5000),
                file("f3", 5000), file("f4", 5000), file("f5", 5000), file("f6", 5000));
        InfoDict info = t.metainfo().info();
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT.withOpenFileCap(2))) {
            for (int round = 0; round < 2; round++) {
                for (int p = 0; p < info.pieceCount(); p++) {
                    s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
                    assertThat(s.openFileCount()).isLessThanOrEqualTo(2);
                }
            }
            assertThat(s.filesOpenedTotal()).as("evicted files are reopened").isGreaterThan(7);
            for (int p = 0; p < info.pieceCount(); p++) assertThat(readPiece(s, p)).isEqualTo(t.piece(p));
        }
        for (FileEntry f : info.files()) assertThat(Files.readAllBytes(f.resolveIn(dir))).isEqualTo(t.expected(f));
    }

    @Test
    void pieceLargerThanTheMemoryCapGoesThroughDisk() throws Exception {
        TestTorrent t = TestTorrent.single("big.bin", 4 * 65536, 65536);
        InfoDict info = t.metainfo().info();
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            PartialPieces pieces = new PartialPieces(s, hasher, 65536 + 100); // room for one piece in memory
            // piece 0 is held in memory; piece 1, started while 0 is partial, spills to disk
            assertThat(pieces.add(0, 0, block(t, 0, 0))).isNull();
            assertThat(pieces.bytesInMemory()).isEqualTo(65536);
            assertThat(pieces.add(1, 0, block(t, 1, 0))).isNull();
            assertThat(pieces.bytesInMemory()).isEqualTo(65536);
            assertThat(Files.size(dir.resolve("big.bin"))).as("spilled block is on disk").isEqualTo(65536 + 16384);
            CompletableFuture<Boolean> one = null, zero = null;
            for (int b = 1; b < 4; b++) {
                zero = pieces.add(0, b * 16384, block(t, 0, b));
                one = pieces.add(1, b * 16384, block(t, 1, b));
            }
            assertThat(zero.get()).isTrue();
            assertThat(one.get()).isTrue();
            assertThat(pieces.bytesInMemory()).isZero();
            assertThat(readPiece(s, 0)).isEqualTo(t.piece(0));
            assertThat(readPiece(s, 1)).isEqualTo(t.piece(1));
        }
    }

    @Test
    void corruptPieceIsNeverWrittenFromMemory() throws Exception {
        TestTorrent t = TestTorrent.single("c.bin", 32768, 32768);
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            PartialPieces pieces = new PartialPieces(s, hasher, 1 << 20);
            byte[] bad = block(t, 0, 1);
            bad[7] ^= 1;
            pieces.add(0, 0, block(t, 0, 0));
            assertThat(pieces.add(0, 16384, bad).get()).isFalse();
        }
        assertThat(dir.resolve("c.bin")).doesNotExist();
    }

    @Test
    void recheckFindsExactlyTheGoodPieces() throws IOException {
        TestTorrent t = awkward();
        InfoDict info = t.metainfo().info();
        t.writeTo(dir);
        Path c = dir.resolve("top/c");
        byte[] bytes = Files.readAllBytes(c);
        bytes[40_000] ^= 1; // stream offset 32768 + 40000 = piece 2
        Files.write(c, bytes);
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            BitSet have = Recheck.run(s, hasher, 2);
            BitSet expected = new BitSet();
            expected.set(0, info.pieceCount());
            expected.clear(2);
            assertThat(have).isEqualTo(expected);
        }
    }

    @Test
    void onlyPiecesInsideFilesOnDiskAreCandidatesForTheRecheck() throws IOException {
        TestTorrent t = awkward(); // pieces of 32 KiB; file c (70,000 bytes) spans pieces 1-3
        InfoDict info = t.metainfo().info();
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            assertThat(s.piecesOnDisk()).as("fresh folder").isEqualTo(new BitSet());
            assertThat(Recheck.run(s, hasher, 2)).isEqualTo(new BitSet());
        }
        t.writeTo(dir);
        Path c = dir.resolve("top/c");
        Files.write(c, java.util.Arrays.copyOf(Files.readAllBytes(c), 40_000)); // c ends inside piece 2 now
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            BitSet expected = new BitSet();
            expected.set(0, info.pieceCount());
            expected.clear(2, 4);
            assertThat(s.piecesOnDisk()).isEqualTo(expected);
            assertThat(Recheck.run(s, hasher, 2)).isEqualTo(expected);
        }
    }

    @Test
    void symlinkLeadingOutOfTheFolderIsNeverFollowed() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path folder = Files.createDirectories(dir.resolve("dl/top"));
        Files.createSymbolicLink(folder.resolve("d1"), outside);
        Files.createSymbolicLink(folder.resolve("a"), outside.resolve("victim"));
        TestTorrent t = awkward();
        try (Storage s = Storage.open(t.metainfo().info(), dir.resolve("dl"), Storage.Options.DEFAULT)) {
            assertThatThrownBy(() -> s.write(0, 0, ByteBuffer.wrap(t.piece(0)))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("symbolic link");
        } catch (StorageException e) {
            assertThat(e).hasMessageContaining("symbolic link"); // empty-mid lies under the d1 link
        }
        try (var listing = Files.list(outside)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void fullDiskIsAClearErrorAndVerifiedPiecesSurvive() throws Exception {
        TestTorrent t = TestTorrent.single("full.bin", 4 * 16384, 16384);
        InfoDict info = t.metainfo().info();
        AtomicLong budget = new AtomicLong(2 * 16384); // room for two pieces
        ChannelOpener fullAfterTwoPieces = p -> new FailingChannel(ChannelOpener.DEFAULT.open(p), budget.get());
        try (Storage s = Storage.open(info, dir, Storage.Options.DEFAULT.withOpener(fullAfterTwoPieces))) {
            PartialPieces pieces = new PartialPieces(s, hasher, 1 << 20);
            assertThat(pieces.add(0, 0, block(t, 0, 0)).get()).isTrue();
            assertThat(pieces.add(1, 0, block(t, 1, 0)).get()).isTrue();
            assertThatThrownBy(() -> pieces.add(2, 0, block(t, 2, 0)).get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(StorageException.class)
                    .hasMessageContaining("disk full while writing full.bin");
            assertThat(readPiece(s, 0)).isEqualTo(t.piece(0));
            assertThat(readPiece(s, 1)).isEqualTo(t.piece(1));
            assertThat(Recheck.run(s, hasher, 4).cardinality()).isEqualTo(2);
        }
    }

    @Test
    void writtenDataIsFlushedInTheBackgroundAsItPilesUp() throws Exception {
        TestTorrent t = TestTorrent.single("flushed.bin", 16 * 16384, 16384);
        java.util.List<FailingChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChannelOpener counting = p -> {
            FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(p), Long.MAX_VALUE);
            channels.add(c);
            return c;
        };
        Storage.Options options = Storage.Options.DEFAULT.withOpener(counting).withFlushEvery(4 * 16384);
        try (Storage s = Storage.open(t.metainfo().info(), dir, options)) {
            for (int p = 0; p < 3; p++) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
            Thread.sleep(200);
            assertThat(channels.stream().mapToInt(FailingChannel::forces).sum()).as("under the threshold").isZero();
            for (int p = 3; p < 16; p++) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (channels.stream().mapToInt(FailingChannel::forces).sum() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(channels.stream().mapToInt(FailingChannel::forces).sum()).isBetween(1, 4);
        }
        try (Storage s = Storage.open(t.metainfo().info(), dir.resolve("off"), Storage.Options.DEFAULT.withOpener(counting).withFlushEvery(0))) {
            channels.clear();
            for (int p = 0; p < 16; p++) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
        }
        assertThat(channels.stream().mapToInt(FailingChannel::forces).sum()).isZero();
    }

    @Test
    void flushInBackgroundFlushesWhatIsUnderTheThresholdToo() throws Exception {
        TestTorrent t = TestTorrent.multi("three", 16384, TestTorrent.Spec.file("a.bin", 3 * 16384),
                TestTorrent.Spec.file("b.bin", 16384), TestTorrent.Spec.file("c.bin", 16384));
        java.util.List<java.util.Map.Entry<Path, FailingChannel>> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChannelOpener counting = p -> {
            FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(p), Long.MAX_VALUE);
            channels.add(java.util.Map.entry(p, c));
            return c;
        };
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(counting).withFlushEvery(1 << 20))) {
            for (int p = 0; p < 4; p++) s.write(p, 0, ByteBuffer.wrap(t.piece(p))); // a.bin and b.bin, not c.bin
            assertThat(forcesOf(channels, "a.bin") + forcesOf(channels, "b.bin")).as("under the threshold").isZero();
            s.flushInBackground();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (forcesOf(channels, "a.bin") + forcesOf(channels, "b.bin") < 2 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(forcesOf(channels, "a.bin")).isEqualTo(1);
            assertThat(forcesOf(channels, "b.bin")).isEqualTo(1);
            assertThat(forcesOf(channels, "c.bin")).as("nothing written to it").isZero();
        }
    }

    private static int forcesOf(java.util.List<java.util.Map.Entry<Path, FailingChannel>> channels, String name) {
        return channels.stream().filter(e -> e.getKey().getFileName().toString().equals(name))
                .mapToInt(e -> e.getValue().forces()).sum();
    }

    @Test
    void unwritableFolderIsAClearError() {
        TestTorrent t = TestTorrent.multi("ro", 16384, file("empty", 0), file("x", 10));
        // As root, a read-only mode bit does not stop writes; inject what the kernel would say.
        ChannelOpener denied = p -> {
            throw new AccessDeniedException(p.toString());
        };
        assertThatThrownBy(() -> Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(denied)))
                .isInstanceOf(StorageException.class).hasMessageContaining("failed").hasMessageContaining("ro/empty");
    }

    @Test
    void filesAreSparse() throws IOException {
        TestTorrent t = TestTorrent.single("sparse.bin", 64 * 16384, 16384);
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            s.write(63, 0, ByteBuffer.wrap(t.piece(63)));
        }
        Path f = dir.resolve("sparse.bin");
        assertThat(Files.size(f)).isEqualTo(64 * 16384);
        // st_blocks counts 512-byte units actually allocated: one written piece, not 64
        Process stat = new ProcessBuilder("stat", "--format=%b", f.toString()).start();
        long allocated = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim()) * 512;
        assertThat(allocated).isLessThan(8 * 16384);
    }

    private static byte[] block(TestTorrent t, int piece, int block) {
        PieceLayout l = t.metainfo().info().layout();
        int begin = block * PieceLayout.BLOCK_SIZE;
        return java.util.Arrays.copyOfRange(t.piece(piece), begin, begin + l.blockSize(piece, block));
    }

    /** A whole piece read back, or null when its data is not all on disk. */
    private static byte[] readPiece(Storage s, int piece) throws StorageException {
        byte[] data = new byte[s.info().layout().pieceSize(piece)];
        return s.read(piece, 0, java.nio.ByteBuffer.wrap(data)) ? data : null;
    }
}
