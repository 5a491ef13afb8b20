package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.PieceLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pieces hashed from disk (the re-check, and pieces that spilled to disk) are read in chunks, so a
 * valid torrent with huge pieces cannot demand a heap of several pieces: here pieces of 256 MiB
 * are hashed, four threads at once, in a JVM of its own with a 64 MiB heap. The data is sparse, so
 * the test writes little to disk.
 */
class LargePieceHashTest {
    private static final int PIECE = 256 << 20;
    private static final int LAST_PIECE = 1 << 20;
    /** Where piece 1 differs from zeros, so its hash is not piece 0's. */
    private static final long MARK = PIECE + 200L * (1 << 20);

    @TempDir
    Path dir;

    @Test
    void hugePiecesVerifyFromDiskUnderASmallHeap() throws Exception {
        Path torrent = dir.resolve("big.torrent");
        Files.write(torrent, torrent());
        Path data = Files.createDirectories(dir.resolve("data"));
        try (RandomAccessFile f = new RandomAccessFile(data.resolve("big.bin").toFile(), "rw")) {
            f.setLength(2L * PIECE + LAST_PIECE); // sparse: zeros
            f.seek(MARK);
            f.write('x');
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Scenario.class.getName(), torrent.toString(), data.toString(), dir.resolve("spilled").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        // Pieces 0 and 1 match; the last one was hashed for other content.
        assertThat(output).contains("re-check: {0, 1}").contains("spilled piece 0 verified: true");
    }

    /** Three pieces: 256 MiB of zeros, 256 MiB of zeros but one 'x', and 1 MiB whose hash is of ones. */
    private static byte[] torrent() throws Exception {
        byte[] chunk = new byte[1 << 20];
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] hashes = new byte[60];
        for (int i = 0; i < PIECE / chunk.length; i++) sha1.update(chunk);
        sha1.digest(hashes, 0, 20);
        for (long at = PIECE; at < 2L * PIECE; at += chunk.length) {
            if (at == MARK) {
                sha1.update((byte) 'x');
                sha1.update(chunk, 1, chunk.length - 1);
            } else {
                sha1.update(chunk);
            }
        }
        sha1.digest(hashes, 20, 20);
        java.util.Arrays.fill(chunk, (byte) 1);
        sha1.update(chunk, 0, LAST_PIECE);
        sha1.digest(hashes, 40, 20);
        return Bencode.encode(Map.of("info", Map.of("name", "big.bin", "piece length", (long) PIECE,
                "length", 2L * PIECE + LAST_PIECE, "pieces", hashes)));
    }

    /**
     * In the small JVM: re-checks the sparse data with four hashing threads and eight pieces in
     * flight (as a download does), then receives piece 0 block by block with no memory for partial
     * pieces, so it spills to disk and is hashed from there.
     */
    public static final class Scenario {
        public static void main(String[] args) throws Exception {
            InfoDict info = Metainfo.load(Path.of(args[0])).info();
            Storage.Options options = Storage.Options.DEFAULT.withDirectWrites(false);
            try (PieceHasher hasher = new PieceHasher(4)) {
                try (Storage storage = Storage.open(info, Path.of(args[1]), options)) {
                    System.out.println("re-check: " + Recheck.run(storage, hasher, 8));
                }
                try (Storage storage = Storage.open(info, Path.of(args[2]), options)) {
                    PartialPieces partial = new PartialPieces(storage, hasher, 0);
                    byte[] zeros = new byte[PieceLayout.BLOCK_SIZE];
                    List<CompletableFuture<Boolean>> done = new ArrayList<>();
                    for (int begin = 0; begin < PIECE; begin += zeros.length) {
                        CompletableFuture<Boolean> outcome = partial.add(0, begin, zeros);
                        if (outcome != null) done.add(outcome);
                    }
                    System.out.println("spilled piece 0 verified: " + (done.size() == 1 && done.getFirst().get()));
                }
            }
        }
    }

    /** Chunks that do not divide the piece, pieces across files, and a piece not on disk. */
    @Test
    void aPieceDigestedInChunksHasItsHash() throws Exception {
        byte[] content = new byte[3 * 65_536 + 1_000];
        new java.util.Random(3).nextBytes(content);
        Path torrent = dir.resolve("two.torrent");
        Files.write(torrent, Bencode.encode(Map.of("info", Map.of("name", "two", "piece length", 65_536L,
                "pieces", hashes(content, 65_536), "files", List.of(
                        Map.of("length", 100_000L, "path", List.of("a")),
                        Map.of("length", content.length - 100_000L, "path", List.of("b")))))));
        InfoDict info = Metainfo.load(torrent).info();
        Path folder = Files.createDirectories(dir.resolve("two"));
        Files.write(folder.resolve("a"), java.util.Arrays.copyOf(content, 100_000));
        try (Storage storage = Storage.open(info, dir, Storage.Options.DEFAULT)) {
            java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocateDirect(10_000);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            assertThat(storage.digestPiece(0, sha1, chunk)).isTrue();
            assertThat(info.hashMatches(0, sha1.digest())).isTrue();
            assertThat(storage.digestPiece(1, sha1, chunk)).as("b is missing").isFalse();
            sha1.reset();
            Files.write(folder.resolve("b"), java.util.Arrays.copyOfRange(content, 100_000, content.length));
            for (int piece = 0; piece < info.pieceCount(); piece++) {
                assertThat(storage.digestPiece(piece, sha1, chunk)).isTrue();
                assertThat(info.hashMatches(piece, sha1.digest())).as("piece " + piece).isTrue();
            }
        }
    }

    private static byte[] hashes(byte[] content, int pieceLength) throws Exception {
        int pieces = (content.length + pieceLength - 1) / pieceLength;
        byte[] out = new byte[20 * pieces];
        for (int p = 0; p < pieces; p++) {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(content, p * pieceLength, Math.min(pieceLength, content.length - p * pieceLength));
            sha1.digest(out, 20 * p, 20);
        }
        return out;
    }
}
