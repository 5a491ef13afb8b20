package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.storage.ChannelOpener;
import org.jtorrent.storage.FailingChannel;
import org.jtorrent.storage.PieceHasher;
import org.jtorrent.storage.Recheck;
import org.jtorrent.storage.Storage;
import org.jtorrent.storage.StorageException;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two jtorrents in one JVM over loopback: one holds the data, the other fetches it. */
@Timeout(60)
class LoopbackSwarmTest {
    @TempDir
    Path dir;

    @Test
    void multiFileTorrentCrossesByteExact() throws Exception {
        TestTorrent t = TestTorrent.multi("tree", 32 * 1024, file("empty", 0), file("a/b/one", 100_000),
                file("a/two", 16_384), file("a/c/d/three", 250_001), file("last", 1));
        run(t);
    }

    @Test
    void singleFileWithManyPiecesAndSpillToDisk() throws Exception {
        TestTorrent t = TestTorrent.single("one.bin", 3 * 1024 * 1024 + 1, 64 * 1024);
        run(t);
    }

    @ParameterizedTest(name = "memory cap {0}")
    @ValueSource(longs = {256L * 1024 * 1024, 1000})
    void fullDiskStopsTheDownloadWithAClearErrorAndKeepsVerifiedPieces(long memoryCap) throws Exception {
        // cap 1000: every block goes to disk from the connection thread, not from the hasher pool
        TestTorrent t = TestTorrent.single("full.bin", 1024 * 1024, 64 * 1024); // 16 pieces
        Path seedDir = dir.resolve("seed");
        t.writeTo(seedDir);
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(seedDir, List.of()))) {
            Path leechDir = dir.resolve("leech");
            ChannelOpener fullAfterFivePieces = FailingChannel.diskFullAfter(5 * 64 * 1024);
            DownloadOptions base = DownloadOptions.defaults(leechDir, List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
            DownloadOptions opts = base.withStorage(base.storage().withOpener(fullAfterFivePieces)).withMemoryCap(memoryCap);
            try (Download leech = Download.start(t.metainfo(), opts)) {
                assertThatThrownBy(() -> leech.awaitComplete(Duration.ofSeconds(30)))
                        .isInstanceOf(StorageException.class).hasMessageContaining("disk full while writing full.bin");
                assertThat(leech.result().complete()).isFalse();
            }
            // What was verified before the disk filled is on disk and found again by a re-check.
            try (Storage storage = Storage.open(t.metainfo().info(), leechDir, Storage.Options.DEFAULT);
                 PieceHasher hasher = new PieceHasher(1)) {
                assertThat(Recheck.run(storage, hasher, 4).cardinality()).isBetween(memoryCap > 1000 ? 1 : 0, 5);
            }
        }
    }

    @Test
    void completionStartsFlushingTheDataBeforeTheDownloadIsClosed() throws Exception {
        TestTorrent t = TestTorrent.single("flush.bin", 1024 * 1024, 64 * 1024);
        Path seedDir = dir.resolve("seed");
        t.writeTo(seedDir);
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(seedDir, List.of()))) {
            List<FailingChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
            ChannelOpener counting = p -> {
                FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(p), Long.MAX_VALUE);
                channels.add(c);
                return c;
            };
            DownloadOptions base = DownloadOptions.defaults(dir.resolve("leech"),
                    List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
            // A threshold far above the file: only completion can start a flush before close.
            DownloadOptions opts = base.withStorage(base.storage().withOpener(counting).withFlushEvery(1L << 30));
            try (Download leech = Download.start(t.metainfo(), opts)) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (channels.stream().mapToInt(FailingChannel::forces).sum() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(channels.stream().mapToInt(FailingChannel::forces).sum()).isPositive();
            }
        }
    }

    private void run(TestTorrent t) throws Exception {
        Path seedDir = dir.resolve("seed");
        t.writeTo(seedDir);
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(seedDir, List.of()))) {
            assertThat(seed.torrent().isComplete()).as("re-check found the seeder's data").isTrue();
            Path leechDir = dir.resolve("leech");
            DownloadOptions opts = DownloadOptions.defaults(leechDir,
                    List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
            opts = opts.withMemoryCap(100_000);
            try (Download leech = Download.start(t.metainfo(), opts)) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                DownloadResult r = leech.result();
                assertThat(r.complete()).isTrue();
                assertThat(r.downloadedBytes()).isEqualTo(t.metainfo().info().totalLength());
                assertThat(r.toJson()).contains("\"complete\":true", "\"info_hash\":\"" + t.metainfo().infoHash().hex());
            }
            for (FileEntry f : t.metainfo().info().files()) {
                assertThat(Files.readAllBytes(f.resolveIn(leechDir))).as(f.displayPath()).isEqualTo(t.expected(f));
            }
        }
    }
}
