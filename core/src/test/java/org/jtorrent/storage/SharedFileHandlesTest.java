package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One pool of open files for every storage on one {@link DiskResources}. */
@Timeout(30)
class SharedFileHandlesTest {
    @TempDir
    Path dir;

    /** Files of 16 KiB each, a piece per file. */
    private static TestTorrent torrent(String name, int files) {
        TestTorrent.Spec[] specs = new TestTorrent.Spec[files];
        for (int i = 0; i < files; i++) specs[i] = file("f" + i, 16384);
        return TestTorrent.multi(name, 16384, specs);
    }

    /** Records every channel it opens; no direct channels, so one lease per I/O. */
    private static final class RecordingOpener implements ChannelOpener {
        final List<FileChannel> opened = new CopyOnWriteArrayList<>();
        final AtomicInteger mostOpenAtOnce = new AtomicInteger();

        @Override
        public FileChannel open(Path file) throws IOException {
            FileChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(file), Long.MAX_VALUE);
            opened.add(c);
            int open = (int) opened.stream().filter(FileChannel::isOpen).count();
            mostOpenAtOnce.accumulateAndGet(open, Math::max);
            return c;
        }

        int openNow() {
            return (int) opened.stream().filter(FileChannel::isOpen).count();
        }
    }

    @Test
    void oneCapOverEveryTorrentLeastRecentlyUsedFirstWhicheverTorrentItIs() throws Exception {
        TestTorrent a = torrent("a", 4), b = torrent("b", 4);
        a.writeTo(dir);
        b.writeTo(dir);
        RecordingOpener opener = new RecordingOpener();
        Storage.Options options = Storage.Options.DEFAULT.withOpener(opener);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(4));
             Storage sa = Storage.open(a.metainfo().info(), dir, options, shared);
             Storage sb = Storage.open(b.metainfo().info(), dir, options, shared)) {
            for (int piece = 0; piece < 4; piece++) readPiece(sa, piece); // a's four files fill the pool
            readPiece(sa, 0);                                            // a/f0 is now the most recent
            readPiece(sb, 0);                                            // evicts a/f1, the least recent
            assertThat(shared.openFiles()).isEqualTo(4);
            assertThat(opener.openNow()).isEqualTo(4);
            assertThat(sa.openFileCount() + sb.openFileCount()).isEqualTo(4);

            int before = sa.filesOpenedTotal();
            readPiece(sa, 0);
            assertThat(sa.filesOpenedTotal()).as("a/f0 stayed open").isEqualTo(before);
            readPiece(sa, 1);
            assertThat(sa.filesOpenedTotal()).as("a/f1 was closed for b/f0 and opens again").isEqualTo(before + 1);

            sb.close(); // a torrent that stops gives its descriptors back at once
            assertThat(sb.openFileCount()).isZero();
            assertThat(shared.openFiles()).isEqualTo(sa.openFileCount());
            assertThatThrownBy(() -> readPiece(sb, 1)).isInstanceOf(StorageException.class).hasMessageContaining("closed");
            readPiece(sa, 2); // the others go on
        }
        assertThat(opener.openNow()).as("closing the resources closes every file").isZero();
    }

    @Test
    void neverMoreFilesOpenThanTheCapPlusConcurrentUsers() throws Exception {
        int cap = 5, threads = 6;
        List<TestTorrent> torrents = List.of(torrent("x", 8), torrent("y", 8), torrent("z", 8));
        for (TestTorrent t : torrents) t.writeTo(dir);
        RecordingOpener opener = new RecordingOpener();
        Storage.Options options = Storage.Options.DEFAULT.withOpener(opener);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(cap))) {
            List<Storage> storages = new ArrayList<>();
            for (TestTorrent t : torrents) storages.add(Storage.open(t.metainfo().info(), dir, options, shared));
            AtomicInteger mostCounted = new AtomicInteger();
            List<Future<?>> work = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                Random random = new Random(thread);
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        Storage s = storages.get(random.nextInt(storages.size()));
                        int piece = random.nextInt(8);
                        if (random.nextBoolean()) {
                            readPiece(s, piece);
                        } else { // the same bytes again: the files stay valid
                            s.write(piece, 0, ByteBuffer.wrap(torrents.get(storages.indexOf(s)).piece(piece)));
                        }
                        mostCounted.accumulateAndGet(shared.openFiles(), Math::max);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) f.get();
            assertThat(opener.opened.size()).as("files were evicted and reopened").isGreaterThan(cap);
            assertThat(opener.mostOpenAtOnce.get()).as("channels open at once, counted by the opener")
                    .isLessThanOrEqualTo(cap + threads);
            assertThat(mostCounted.get()).isLessThanOrEqualTo(cap + threads);
            assertThat(shared.openFiles()).as("when nobody uses a file, the cap holds exactly").isLessThanOrEqualTo(cap);
            for (int i = 0; i < torrents.size(); i++) {
                for (int piece = 0; piece < 8; piece++) {
                    assertThat(readPiece(storages.get(i), piece)).isEqualTo(torrents.get(i).piece(piece));
                }
            }
            for (Storage s : storages) s.close();
            assertThat(opener.openNow()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aChannelThatFailedIsEvictedAndTheNextUseReopensTheFile() throws Exception {
        TestTorrent t = TestTorrent.single("once.bin", 2 * 16384, 16384);
        AtomicInteger opens = new AtomicInteger();
        // The first channel fails every write (as one closed under us, or on a disk that filled and
        // then got room again); channels opened after it work.
        ChannelOpener firstFails = p -> new FailingChannel(ChannelOpener.DEFAULT.open(p),
                opens.getAndIncrement() == 0 ? 0 : Long.MAX_VALUE);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT);
             Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withOpener(firstFails), shared)) {
            assertThatThrownBy(() -> s.write(0, 0, ByteBuffer.wrap(t.piece(0))))
                    .isInstanceOf(StorageException.class).hasMessageContaining("disk full while writing once.bin");
            assertThat(s.openFileCount()).as("the failed channel left the pool").isZero();
            s.write(0, 0, ByteBuffer.wrap(t.piece(0)));
            assertThat(opens.get()).isEqualTo(2);
            assertThat(readPiece(s, 0)).isEqualTo(t.piece(0));
        }
    }

    @Test
    void flushesThatFailForOneTorrentLeaveTheSharedExecutorFlushingTheOthers() throws Exception {
        TestTorrent failing = TestTorrent.single("failing.bin", 8 * 16384, 16384);
        TestTorrent healthy = TestTorrent.single("healthy.bin", 8 * 16384, 16384);
        List<FailingChannel> failingChannels = new CopyOnWriteArrayList<>(), healthyChannels = new CopyOnWriteArrayList<>();
        ChannelOpener flushFails = p -> {
            FailingChannel c = FailingChannel.failingFlushes(ChannelOpener.DEFAULT.open(p));
            failingChannels.add(c);
            return c;
        };
        ChannelOpener counting = p -> {
            FailingChannel c = new FailingChannel(ChannelOpener.DEFAULT.open(p), Long.MAX_VALUE);
            healthyChannels.add(c);
            return c;
        };
        Storage.Options everyPiece = Storage.Options.DEFAULT.withFlushEvery(16384);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withFlushThreads(1));
             Storage bad = Storage.open(failing.metainfo().info(), dir, everyPiece.withOpener(flushFails), shared);
             Storage good = Storage.open(healthy.metainfo().info(), dir, everyPiece.withOpener(counting), shared)) {
            for (int round = 1; round <= 3; round++) { // each round's flushes queued after the last round's failed
                for (int piece = 0; piece < 8; piece++) {
                    bad.write(piece, 0, ByteBuffer.wrap(failing.piece(piece))); // writes succeed, flushes fail
                    good.write(piece, 0, ByteBuffer.wrap(healthy.piece(piece)));
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                while ((forces(failingChannels) < round || forces(healthyChannels) < round) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(forces(failingChannels)).as("round %d: the failing torrent's flush was tried", round).isGreaterThanOrEqualTo(round);
                assertThat(forces(healthyChannels)).as("round %d: the one flush thread went on for the other", round)
                        .isGreaterThanOrEqualTo(round);
            }
            assertThat(readPiece(good, 7)).isEqualTo(healthy.piece(7));
        }
    }

    private static int forces(List<FailingChannel> channels) {
        return channels.stream().mapToInt(FailingChannel::forces).sum();
    }

    private static byte[] readPiece(Storage s, int piece) throws StorageException {
        PieceLayout layout = s.info().layout();
        ByteBuffer into = ByteBuffer.allocate(layout.pieceSize(piece));
        assertThat(s.read(piece, 0, into)).isTrue();
        return into.array();
    }
}
