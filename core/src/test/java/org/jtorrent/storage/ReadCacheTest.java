package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadCacheTest {

    @TempDir
    Path dir;

    @Test
    void oneReadOfAPieceServesAllItsBlocksAcrossFiles() throws Exception {
        TestTorrent t = TestTorrent.multi("m", 64 * 1024, file("a", 40_000), file("b", 100_000));
        t.writeTo(dir);
        PieceLayout layout = t.metainfo().info().layout();
        try (Storage storage = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            ReadCache cache = new ReadCache(storage, 1024 * 1024);
            for (int piece = 0; piece < layout.pieceCount(); piece++) {
                for (int block = 0; block < layout.blockCount(piece); block++) {
                    ByteBuffer into = ByteBuffer.allocate(layout.blockSize(piece, block));
                    cache.read(piece, layout.pieceSize(piece), block * PieceLayout.BLOCK_SIZE, into);
                    byte[] expected = Arrays.copyOfRange(t.piece(piece), block * PieceLayout.BLOCK_SIZE,
                            block * PieceLayout.BLOCK_SIZE + into.capacity());
                    assertThat(into.array()).as("piece %d block %d", piece, block).isEqualTo(expected);
                }
            }
            assertThat(cache.misses()).isEqualTo(layout.pieceCount());
            assertThat(cache.hits()).isEqualTo(countBlocks(layout) - layout.pieceCount());
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedPieceAndBypassesHugeOnes() throws Exception {
        TestTorrent t = TestTorrent.single("s", 5 * 16384, 16384);
        t.writeTo(dir);
        try (Storage storage = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            ReadCache fourPieces = new ReadCache(storage, 4 * 16384);
            for (int piece = 0; piece < 4; piece++) read(fourPieces, piece);
            read(fourPieces, 0); // hit: 0 is now the most recent
            read(fourPieces, 4); // evicts 1, the least recently used
            read(fourPieces, 0); // still there
            read(fourPieces, 1); // gone: read again
            assertThat(fourPieces.hits()).isEqualTo(2);
            assertThat(fourPieces.misses()).isEqualTo(6);

            ReadCache tiny = new ReadCache(storage, 16384); // a piece is more than a quarter of it
            read(tiny, 3);
            read(tiny, 3);
            assertThat(tiny.hits() + tiny.misses()).isZero();
        }
    }

    @Test
    void dataDeletedUnderUsIsAClearErrorNotAMissOrZeros() throws Exception {
        TestTorrent t = TestTorrent.multi("m", 16384, file("a", 16384), file("b", 20_000));
        t.writeTo(dir);
        try (Storage storage = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT)) {
            ReadCache cache = new ReadCache(storage, 1024 * 1024);
            Files.delete(dir.resolve("m/b"));
            read(cache, 0); // a is still there
            assertThatThrownBy(() -> cache.read(1, 16384, 0, ByteBuffer.allocate(16384)))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data of piece 1 is missing from disk: m/b was deleted or truncated");
            Files.write(dir.resolve("m/b"), new byte[100]); // truncated, say by another program
            assertThatThrownBy(() -> cache.read(2, 20_000 - 16384, 0, ByteBuffer.allocate(20_000 - 16384)))
                    .isInstanceOf(StorageException.class).hasMessageContaining("m/b was deleted or truncated");
        }
    }

    private static void read(ReadCache cache, int piece) throws StorageException {
        cache.read(piece, 16384, 0, ByteBuffer.allocate(16384));
    }

    private static long countBlocks(PieceLayout layout) {
        long n = 0;
        for (int p = 0; p < layout.pieceCount(); p++) n += layout.blockCount(p);
        return n;
    }
}
