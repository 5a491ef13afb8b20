package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectWriterTest {
    @TempDir
    Path dir;

    /** Counts the bytes each kind of channel carried; optionally makes either fail like a full disk. */
    private static final class CountingOpener implements ChannelOpener {
        final List<FailingChannel> cached = Collections.synchronizedList(new ArrayList<>());
        final List<FailingChannel> direct = Collections.synchronizedList(new ArrayList<>());
        long cachedBudget = Long.MAX_VALUE;
        long directBudget = Long.MAX_VALUE;

        @Override
        public FileChannel open(Path file) throws IOException {
            FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(file), cachedBudget);
            cached.add(c);
            return c;
        }

        @Override
        public FileChannel openDirect(Path file) throws IOException {
            FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.openDirect(file), directBudget);
            direct.add(c);
            return c;
        }

        long cachedBytes() {
            return cached.stream().mapToLong(FailingChannel::written).sum();
        }

        long directBytes() {
            return direct.stream().mapToLong(FailingChannel::written).sum();
        }
    }

    /** File lengths that start and end off the 4 KiB grid, a file smaller than a block, pieces across files. */
    private static TestTorrent unaligned() {
        return TestTorrent.multi("unaligned", 64 * 1024,
                file("a", 100_000), file("tiny", 1_000), file("b", 300_001), file("c", 65_536), file("d", 12_345));
    }

    /** Every piece written through {@code opener} ends up exact on disk, none of it directly. */
    private void assertWrittenThroughThePageCache(TestTorrent t, ChannelOpener opener, boolean fromPieceBuffers)
            throws IOException {
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener))) {
            writeAllShuffled(s, t, fromPieceBuffers);
            assertThat(s.writesDirectly()).isFalse();
        }
        assertFilesExact(t);
    }

    private void assertWrittenThroughThePageCache(TestTorrent t, ChannelOpener opener) throws IOException {
        assertWrittenThroughThePageCache(t, opener, false);
    }

    private static void writeAllShuffled(Storage s, TestTorrent t) throws StorageException {
        writeAllShuffled(s, t, false);
    }

    /** Writes every piece, in a random order, from a heap array or from a piece buffer of the storage's. */
    private static void writeAllShuffled(Storage s, TestTorrent t, boolean fromPieceBuffers) throws StorageException {
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < t.metainfo().info().layout().pieceCount(); p++) order.add(p);
        Collections.shuffle(order, new Random(7));
        for (int p : order) {
            byte[] piece = t.piece(p);
            s.write(p, 0, fromPieceBuffers ? s.allocatePieceBuffer(piece.length).put(0, piece) : ByteBuffer.wrap(piece));
        }
    }

    private void assertFilesExact(TestTorrent t) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            assertThat(Files.readAllBytes(f.resolveIn(dir))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    private static boolean supportsDirectIo(Path dir) throws IOException {
        return Set.of("ext4", "xfs", "btrfs").contains(Files.getFileStore(dir).type());
    }

    @Test
    void unalignedPiecesAndFilesLandByteExact() throws IOException {
        TestTorrent t = unaligned();
        CountingOpener opener = new CountingOpener();
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener))) {
            writeAllShuffled(s, t);
            if (supportsDirectIo(dir)) {
                assertThat(s.writesDirectly()).isTrue();
                // Most bytes went around the cache; only the heads and tails off the 4 KiB grid did not.
                assertThat(opener.directBytes()).isGreaterThan(opener.cachedBytes());
            }
            assertThat(opener.directBytes() + opener.cachedBytes()).isEqualTo(t.content().length);
        }
        assertFilesExact(t);
    }

    @ParameterizedTest(name = "from piece buffers: {0}")
    @ValueSource(booleans = {false, true})
    void onlyTheAlignedMiddleOfAWriteGoesDirect(boolean fromPieceBuffers) throws IOException {
        // One file: piece 0 is [0, 64 KiB), all aligned; the last piece is 1,000 bytes, all tail.
        TestTorrent t = TestTorrent.single("one.bin", 3 * 65_536 + 1_000, 65_536);
        CountingOpener opener = new CountingOpener();
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(supportsDirectIo(dir), "no direct I/O on " + Files.getFileStore(dir).type());
            writeAllShuffled(s, t, fromPieceBuffers);
            assertThat(opener.directBytes()).isEqualTo(3 * 65_536);
            assertThat(opener.cachedBytes()).isEqualTo(1_000);
            // Piece buffers are on the grid in memory too, so they go out as they are; a heap
            // array is copied into a staging buffer first.
            if (fromPieceBuffers) assertThat(s.stagingBuffers()).isZero();
            else assertThat(s.stagingBuffers()).isPositive();
            // A block written at an odd place: its aligned middle only.
            s.write(1, 1_000, ByteBuffer.wrap(t.piece(1), 1_000, 20_000));
            assertThat(opener.directBytes()).isEqualTo(3 * 65_536 + 16_384);
        }
        assertFilesExact(t);
    }

    @Test
    void pieceBuffersHaveTheirSizeAndStartOnTheBlockGrid() throws IOException {
        TestTorrent t = TestTorrent.single("one.bin", 65_536, 65_536);
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            int grid = supportsDirectIo(dir) ? 4096 : 64;
            for (int size : new int[] {1, 100, 4095, 4096, 4097, 65_537}) {
                for (int i = 0; i < 50; i++) { // wherever the allocator happens to start each one
                    ByteBuffer b = s.allocatePieceBuffer(size);
                    assertThat(b.isDirect()).isTrue();
                    assertThat(b.position()).isZero();
                    assertThat(b.capacity()).as("size " + size).isEqualTo(size);
                    assertThat(b.alignmentOffset(0, grid)).as("size " + size).isZero();
                }
            }
        }
    }

    @Test
    void pieceBuffersOfFilesOffTheGridLandByteExact() throws IOException {
        // A piece that starts mid-block in a file has its aligned middle off the grid in memory: staged.
        TestTorrent t = unaligned();
        CountingOpener opener = new CountingOpener();
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener))) {
            writeAllShuffled(s, t, true);
            assertThat(opener.directBytes() + opener.cachedBytes()).isEqualTo(t.content().length);
        }
        assertFilesExact(t);
    }

    @Test
    void aDirectWriteFromAPieceBufferThatFailsIsRetriedThroughThePageCache() throws IOException {
        CountingOpener opener = new CountingOpener();
        opener.directBudget = 100_000; // the direct channel of each file fails part-way through
        assertWrittenThroughThePageCache(unaligned(), opener, true);
    }

    @Test
    void turnedOffEverythingGoesThroughThePageCache() throws IOException {
        TestTorrent t = unaligned();
        CountingOpener opener = new CountingOpener();
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener).withDirectWrites(false))) {
            writeAllShuffled(s, t);
            assertThat(s.writesDirectly()).isFalse();
        }
        assertThat(opener.direct).isEmpty();
        assertThat(opener.cachedBytes()).isEqualTo(t.content().length);
        assertFilesExact(t);
    }

    @Test
    void aFileSystemThatRefusesDirectIoFallsBackToThePageCache() throws IOException {
        TestTorrent t = unaligned();
        ChannelOpener refusing = new ChannelOpener() {
            @Override
            public FileChannel open(Path file) throws IOException {
                return ChannelOpener.DEFAULT.open(file);
            }

            @Override
            public FileChannel openDirect(Path file) throws IOException {
                throw new IOException("Invalid argument"); // what open(2) says on a file system without O_DIRECT
            }
        };
        assertWrittenThroughThePageCache(t, refusing);
    }

    @Test
    void anOpenerWithoutDirectChannelsWritesThroughTheCache() throws IOException {
        TestTorrent t = unaligned();
        ChannelOpener plain = ChannelOpener.DEFAULT::open; // a lambda: no openDirect
        assertWrittenThroughThePageCache(t, plain);
    }

    @Test
    void aDirectWriteThatFailsIsRetriedThroughThePageCache() throws IOException {
        TestTorrent t = unaligned();
        CountingOpener opener = new CountingOpener();
        opener.directBudget = 100_000; // the direct channel of each file fails part-way through
        assertWrittenThroughThePageCache(t, opener);
    }

    /**
     * On a file system with blocks smaller than a page (512 bytes here), a cached head or tail must
     * not share a page with a direct write: the kernel cannot keep the two coherent when they race
     * (DirectWriter's comment). Runs of every length tile a file at offsets off every grid, as
     * blocks, pieces and file boundaries do; every page is then written one way only. The "direct"
     * channel is a plain one that records what it is given: the split is what is under test.
     */
    @Test
    void cachedAndDirectWritesNeverShareAPageWhenBlocksAreSmallerThanAPage() throws IOException {
        Path file = dir.resolve("small-blocks.bin");
        Random random = new Random(11);
        byte[] content = new byte[4 << 20];
        random.nextBytes(content);
        FailingChannel cached = new FailingChannel(ChannelOpener.DEFAULT.open(file), Long.MAX_VALUE);
        FailingChannel direct = new FailingChannel(ChannelOpener.DEFAULT.open(file), Long.MAX_VALUE);
        try (cached; FileHandles pool = new FileHandles(4);
             DirectWriter writer = new DirectWriter(512, pool.group(f -> direct), new DirectWriter.Staging(DirectWriter.MAX_STAGING))) {
            for (int at = 0; at < content.length; ) {
                int length = Math.min(content.length - at, random.nextInt(1, 3 * 16_384));
                writer.write(0, ByteBuffer.wrap(content, at, length).slice(), at, cached);
                at += length;
            }
        }
        int page = DirectWriter.PAGE_SIZE;
        assertThat(page).isGreaterThanOrEqualTo(4096);
        java.util.BitSet directPages = new java.util.BitSet();
        for (FailingChannel.Write w : direct.writes()) {
            assertThat(w.position() % page).as("a direct write starts on a page").isZero();
            assertThat(w.length() % page).as("a direct write is whole pages").isZero();
            directPages.set((int) (w.position() / page), (int) ((w.position() + w.length()) / page));
        }
        assertThat(directPages.cardinality()).as("most pages went direct").isGreaterThan(content.length / page / 2);
        for (FailingChannel.Write w : cached.writes()) {
            int first = (int) (w.position() / page);
            int last = (int) ((w.position() + w.length() - 1) / page);
            assertThat(directPages.get(first, last + 1).isEmpty())
                    .as("cached write [%d, +%d) shares no page with a direct one", w.position(), w.length()).isTrue();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }

    @Test
    void aFullDiskIsStillAClearError() throws IOException {
        TestTorrent t = TestTorrent.single("full.bin", 8 * 65_536, 65_536);
        CountingOpener opener = new CountingOpener();
        opener.directBudget = 2 * 65_536;
        opener.cachedBudget = 0; // the fallback fails too: the disk really is full
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(opener))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(supportsDirectIo(dir), "no direct I/O on " + Files.getFileStore(dir).type());
            s.write(0, 0, ByteBuffer.wrap(t.piece(0)));
            s.write(1, 0, ByteBuffer.wrap(t.piece(1)));
            assertThatThrownBy(() -> s.write(2, 0, ByteBuffer.wrap(t.piece(2))))
                    .isInstanceOf(StorageException.class).hasMessageContaining("disk full while writing full.bin");
            byte[] back = new byte[65_536];
            assertThat(s.read(1, 0, ByteBuffer.wrap(back))).isTrue();
            assertThat(back).isEqualTo(t.piece(1));
        }
    }
}
