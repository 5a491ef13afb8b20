package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorrentCreatorTest {

    @TempDir
    Path dir;

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void multiFileTorrentRoundTripsAndEveryPieceHashMatchesTheData() throws Exception {
        Path root = dir.resolve("payload");
        Files.createDirectories(root.resolve("a/b"));
        byte[] one = random(40_000, 1);
        byte[] two = random(1, 2);
        byte[] three = random(70_001, 3);
        Files.write(root.resolve("a/b/one.bin"), one);
        Files.write(root.resolve("a/empty"), new byte[0]);
        Files.write(root.resolve("two.bin"), two);
        Files.write(root.resolve("z.bin"), three);

        byte[] torrent = new TorrentCreator(root).pieceLength(16384).threads(3)
                .trackerTier(List.of("http://127.0.0.1:1/announce", "udp://127.0.0.1:2"))
                .trackerTier(List.of("http://127.0.0.1:3/announce"))
                .webSeed("http://127.0.0.1:4/files/").comment("c").makePrivate(true)
                .creationDate(Instant.ofEpochSecond(1_700_000_000)).create();
        Metainfo m = Metainfo.parse(torrent);

        assertThat(m.info().name()).isEqualTo("payload");
        assertThat(m.info().files()).extracting(FileEntry::displayPath).containsExactly(
                "payload/a/b/one.bin", "payload/a/empty", "payload/two.bin", "payload/z.bin");
        assertThat(m.trackers()).containsExactly(
                List.of("http://127.0.0.1:1/announce", "udp://127.0.0.1:2"), List.of("http://127.0.0.1:3/announce"));
        assertThat(m.webSeeds()).containsExactly("http://127.0.0.1:4/files/");
        assertThat(m.info().isPrivate()).isTrue();
        assertThat(m.comment()).contains("c");
        assertThat(m.creationDate()).contains(Instant.ofEpochSecond(1_700_000_000));

        byte[] stream = new byte[one.length + two.length + three.length];
        System.arraycopy(one, 0, stream, 0, one.length);
        System.arraycopy(two, 0, stream, one.length, two.length);
        System.arraycopy(three, 0, stream, one.length + two.length, three.length);
        assertThat(m.info().totalLength()).isEqualTo(stream.length);
        for (int p = 0; p < m.info().pieceCount(); p++) {
            int from = p * 16384;
            int to = Math.min(stream.length, from + 16384);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(stream, from, to - from);
            assertThat(m.info().hashMatches(p, sha1.digest())).as("piece %d", p).isTrue();
        }
    }

    @Test
    void outputDoesNotDependOnTheNumberOfHashingThreads() throws Exception {
        Path file = dir.resolve("data.bin");
        Files.write(file, random(1_000_003, 7));
        byte[] one = new TorrentCreator(file).threads(1).creationDate(null).create();
        byte[] four = new TorrentCreator(file).threads(4).creationDate(null).create();
        assertThat(four).isEqualTo(one);
        Metainfo m = Metainfo.parse(one);
        assertThat(m.info().multiFile()).isFalse();
        assertThat(m.info().files()).extracting(FileEntry::displayPath).containsExactly("data.bin");
        assertThat(m.info().pieceLength()).isEqualTo(PieceLengths.forTotalSize(1_000_003));
    }

    /**
     * Workers hash through 64 MiB windows of each mapped file, or read 1 MiB at a time: pieces that
     * straddle a window's end, a chunk's end and a file's end hash the bytes on either side (checked
     * against the files read as one stream), and both ways give the same torrent.
     */
    @Test
    void piecesAcrossWindowsChunksAndFilesHashTheirBytes() throws Exception {
        Path root = dir.resolve("windows");
        Files.createDirectories(root);
        Files.write(root.resolve("a"), random(1_000, 4));
        Files.write(root.resolve("b"), random((64 << 20) + 300_000, 5));
        Files.write(root.resolve("c"), random(5_000, 6));
        byte[] torrent = new TorrentCreator(root).pieceLength(4 << 20).threads(2).creationDate(null).create();
        assertThat(new TorrentCreator(root).pieceLength(4 << 20).threads(2).creationDate(null).readWithoutMapping().create())
                .as("read, not mapped").isEqualTo(torrent);
        Metainfo m = Metainfo.parse(torrent);
        assertThat(m.info().pieceCount()).isEqualTo(17);
        byte[] piece = new byte[4 << 20];
        try (var stream = new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                Files.newInputStream(root.resolve("a")), Files.newInputStream(root.resolve("b")),
                Files.newInputStream(root.resolve("c")))))) {
            for (int p = 0; p < m.info().pieceCount(); p++) {
                int n = stream.readNBytes(piece, 0, piece.length);
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                sha1.update(piece, 0, n);
                assertThat(m.info().hashMatches(p, sha1.digest())).as("piece %d", p).isTrue();
            }
        }
    }

    /**
     * A file cut short while it is hashed, mapped (reading mapped bytes past the new end faults) or
     * read: a clear error naming the file, not a crash.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "mapped: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aFileCutShortWhileItIsHashedIsAClearError(boolean mapped) throws Exception {
        Path file = dir.resolve("shrinks.bin");
        Files.write(file, random(300_000, 8));
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        TorrentCreator creator = new TorrentCreator(file).pieceLength(16384).threads(1).onProgress(bytes -> {
            if (cut.compareAndSet(false, true)) {
                try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(100_000);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        if (!mapped) creator.readWithoutMapping();
        assertThatThrownBy(creator::create).isInstanceOf(IOException.class).hasMessageContaining("shrinks.bin")
                .hasMessageMatching(".*(is shorter than when the torrent was started|changed while the torrent was being made)");
        assertThat(cut).isTrue();
    }

    /**
     * The largest pieces we let a user ask for, in a JVM whose heap (and so direct memory) is
     * smaller than one piece: workers read in chunks, so the piece length costs no memory. Sparse
     * data, so the test writes next to nothing.
     */
    @Test
    void hugePiecesNeedNoMemoryOfTheirSize() throws Exception {
        Path file = dir.resolve("sparse.bin");
        long size = (256L << 20) + 1_000;
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        Path out = dir.resolve("sparse.torrent");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                CreateWithHugePieces.class.getName(), file.toString(), out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Metainfo m = Metainfo.load(out);
        assertThat(m.info().pieceLength()).isEqualTo(256 << 20);
        byte[] zeros = new byte[1 << 20];
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (int i = 0; i < 256; i++) sha1.update(zeros);
        assertThat(m.info().hashMatches(0, sha1.digest())).isTrue();
        sha1.update(zeros, 0, 1_000);
        assertThat(m.info().hashMatches(1, sha1.digest())).isTrue();
    }

    /** In the small JVM: a torrent of 256 MiB pieces on two threads. */
    public static final class CreateWithHugePieces {
        public static void main(String[] args) throws IOException {
            Files.write(Path.of(args[1]), new TorrentCreator(Path.of(args[0])).pieceLength(256 << 20).threads(2).create());
        }
    }

    @Test
    void refusesEmptyContentAndBadPieceLengths() throws IOException {
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> new TorrentCreator(empty).create()).hasMessageContaining("every file is empty");
        assertThatThrownBy(() -> new TorrentCreator(empty).pieceLength(10000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new TorrentCreator(dir.resolve("missing")).create()).hasMessageContaining("no such file");
    }

    @Test
    void automaticPieceLengthGrowsWithTheSquareRootOfTheSize() {
        assertThat(PieceLengths.forTotalSize(1)).isEqualTo(16 * 1024);
        assertThat(PieceLengths.forTotalSize(1L << 30)).isEqualTo(512 * 1024);
        assertThat(PieceLengths.forTotalSize(4L << 30)).isEqualTo(1024 * 1024);
        assertThat(PieceLengths.forTotalSize(1L << 50)).isEqualTo(PieceLengths.MAX);
    }
}
