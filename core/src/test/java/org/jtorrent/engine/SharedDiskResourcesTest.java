package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.FailingChannel;
import org.jtorrent.storage.Storage;
import org.jtorrent.storage.StorageException;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torrents on one {@link DiskResources}, as a session runs them: a storage error on one fails that
 * torrent with its reason and leaves the others, and the shared pools, working.
 */
@Timeout(60)
class SharedDiskResourcesTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskFailsOneTorrentWithItsReasonWhileTheOtherCompletes() throws Exception {
        TestTorrent full = TestTorrent.single("full.bin", 1024 * 1024, 64 * 1024);
        TestTorrent fine = TestTorrent.multi("fine", 64 * 1024, file("a", 700_000), file("b/c", 500_001));
        full.writeTo(dir.resolve("seed-full"));
        fine.writeTo(dir.resolve("seed-fine"));
        try (Download seedFull = Download.start(full.metainfo(), DownloadOptions.defaults(dir.resolve("seed-full"), List.of()));
             Download seedFine = Download.start(fine.metainfo(), DownloadOptions.defaults(dir.resolve("seed-fine"), List.of()));
             DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(8))) {
            DownloadOptions toFull = DownloadOptions.defaults(dir.resolve("leech"), List.of(peer(seedFull)));
            toFull = toFull.withStorage(toFull.storage().withOpener(FailingChannel.diskFullAfter(5 * 64 * 1024)));
            DownloadOptions toFine = DownloadOptions.defaults(dir.resolve("leech"), List.of(peer(seedFine)));
            try (Download failing = Download.start(full.metainfo(), toFull, shared);
                 Download completing = Download.start(fine.metainfo(), toFine, shared)) {
                assertThatThrownBy(() -> failing.awaitComplete(Duration.ofSeconds(30)))
                        .isInstanceOf(StorageException.class).hasMessage("disk full while writing full.bin");
                assertThat(failing.torrent().storageFailure().get(5, TimeUnit.SECONDS))
                        .hasMessage("disk full while writing full.bin");
                failing.close(); // its owner stops it; the other goes on, on the same pools

                assertThat(completing.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(completing.torrent().storageFailure()).isNotDone();
                assertThat(completing.result().downloadedBytes()).isEqualTo(fine.metainfo().info().totalLength());
            }
            for (FileEntry f : fine.metainfo().info().files()) {
                assertThat(Files.readAllBytes(f.resolveIn(dir.resolve("leech")))).as(f.displayPath()).isEqualTo(fine.expected(f));
            }
            assertThat(shared.memory().used()).as("both torrents gave their memory back").isZero();
            assertThat(shared.openFiles()).as("and their files").isZero();
        }
    }

    @Test
    void aFileDeletedUnderASeedingTorrentFailsItWithAClearReason() throws Exception {
        TestTorrent seeded = TestTorrent.single("seeded.bin", 256 * 1024, 64 * 1024);
        TestTorrent other = TestTorrent.multi("other", 16384, file("x", 16384), file("y", 16384));
        seeded.writeTo(dir.resolve("seed"));
        other.writeTo(dir.resolve("seed"));
        // Two open files for every torrent: a session's cap, small here so that others' reads evict.
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(2));
             Download seed = Download.start(seeded.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()), shared);
             Storage neighbour = Storage.open(other.metainfo().info(), dir.resolve("seed"), Storage.Options.DEFAULT, shared)) {
            assertThat(seed.torrent().isComplete()).isTrue();
            Files.delete(dir.resolve("seed/seeded.bin"));
            for (int piece = 0; piece < 2; piece++) { // the neighbour's files take the pool: ours is closed
                assertThat(neighbour.read(piece, 0, ByteBuffer.allocate(16384))).isTrue();
            }
            DownloadOptions leech = DownloadOptions.defaults(dir.resolve("leech"), List.of(peer(seed)));
            try (Download fetching = Download.start(seeded.metainfo(), leech)) {
                StorageException failure = seed.torrent().storageFailure().get(30, TimeUnit.SECONDS);
                assertThat(failure).hasMessageStartingWith("data of piece ")
                        .hasMessageEndingWith(" is missing from disk: seeded.bin was deleted or truncated");
                assertThat(fetching.torrent().wastedBytes()).as("no zeros were served as data").isZero();
            }
            // The neighbour on the same pool is unharmed.
            assertThat(neighbour.read(0, 0, ByteBuffer.allocate(16384))).isTrue();
        }
    }

    private static InetSocketAddress peer(Download d) {
        return new InetSocketAddress("127.0.0.1", d.listenPort());
    }
}
