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
import org.jtorrent.storage.ChannelOpener;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.FailingChannel;
import org.jtorrent.storage.Storage;
import org.jtorrent.storage.StorageException;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torrents in one session, on its one {@link DiskResources}: a storage error on one fails that
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
             Download seedFine = Download.start(fine.metainfo(), DownloadOptions.defaults(dir.resolve("seed-fine"), List.of()))) {
            SessionConfig config = SessionConfig.defaults().withDisk(DiskResources.Config.DEFAULT.withOpenFiles(8));
            // The disk is full for full.bin only: one free-space counter for the files it opens, like a real disk.
            var fullDisk = FailingChannel.diskFullAfter(5 * 64 * 1024);
            config = config.withStorage(config.storage().withOpener(p -> p.getFileName().toString().equals("full.bin")
                    ? fullDisk.open(p) : ChannelOpener.DEFAULT.open(p)));
            Session session = new Session(config);
            try (session) {
                session.start();
                TorrentHandle failing = session.add(full.metainfo(), TorrentOptions.in(dir.resolve("leech")).withPeers(List.of(peer(seedFull))));
                TorrentHandle completing = session.add(fine.metainfo(), TorrentOptions.in(dir.resolve("leech")).withPeers(List.of(peer(seedFine))));
                assertThatThrownBy(() -> failing.completion().get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(StorageException.class).hasMessageContaining("disk full while writing full.bin");
                assertThat(failing.state()).isEqualTo(TorrentState.ERROR);
                assertThat(failing.status().error()).isEqualTo("disk full while writing full.bin");

                completing.completion().get(30, TimeUnit.SECONDS);
                assertThat(completing.state()).isEqualTo(TorrentState.SEEDING);
                completing.pause(); // its files close and its buffers go back
                assertThat(session.disk().memory().used()).as("both torrents gave their memory back").isZero();
                assertThat(session.disk().openFiles()).as("and their files").isZero();
            }
            for (FileEntry f : fine.metainfo().info().files()) {
                assertThat(Files.readAllBytes(f.resolveIn(dir.resolve("leech")))).as(f.displayPath()).isEqualTo(fine.expected(f));
            }
        }
    }

    @Test
    void aFileDeletedUnderASeedingTorrentFailsItWithAClearReason() throws Exception {
        TestTorrent seeded = TestTorrent.single("seeded.bin", 256 * 1024, 64 * 1024);
        TestTorrent other = TestTorrent.multi("other", 16384, file("x", 16384), file("y", 16384));
        seeded.writeTo(dir.resolve("seed"));
        other.writeTo(dir.resolve("seed"));
        // Two open files for every torrent: a session's cap, small here so that others' reads evict.
        Session session = new Session(SessionConfig.defaults().withDisk(DiskResources.Config.DEFAULT.withOpenFiles(2)));
        try (session) {
            session.start();
            TorrentHandle seed = session.add(seeded.metainfo(), TorrentOptions.in(dir.resolve("seed")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seed.state() != TorrentState.SEEDING && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(seed.state()).isEqualTo(TorrentState.SEEDING);
            try (Storage neighbour = Storage.open(other.metainfo().info(), dir.resolve("seed"), Storage.Options.DEFAULT, session.disk())) {
                Files.delete(dir.resolve("seed/seeded.bin"));
                for (int piece = 0; piece < 2; piece++) { // the neighbour's files take the pool: ours is closed
                    assertThat(neighbour.read(piece, 0, ByteBuffer.allocate(16384))).isTrue();
                }
                DownloadOptions leech = DownloadOptions.defaults(dir.resolve("leech"),
                        List.of(new InetSocketAddress("127.0.0.1", session.listenPort())));
                try (Download fetching = Download.start(seeded.metainfo(), leech)) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (seed.state() != TorrentState.ERROR && System.nanoTime() < deadline) Thread.sleep(10);
                    assertThat(seed.state()).isEqualTo(TorrentState.ERROR);
                    assertThat(seed.status().error()).startsWith("data of piece ")
                            .endsWith(" is missing from disk: seeded.bin was deleted or truncated");
                    assertThat(fetching.torrent().wastedBytes()).as("no zeros were served as data").isZero();
                }
                // The neighbour on the same pool is unharmed.
                assertThat(neighbour.read(0, 0, ByteBuffer.allocate(16384))).isTrue();
            }
        }
    }

    private static InetSocketAddress peer(Download d) {
        return new InetSocketAddress("127.0.0.1", d.listenPort());
    }
}
