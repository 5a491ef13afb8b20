package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The session's memory budget, and how partial pieces and read caches live within it. */
@Timeout(30)
class MemoryBudgetTest {
    private static final int PIECE = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void accountingNeverGoesNegativeNorPastTheCapacity() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        assertThat(budget.reserve()).isEqualTo(12);
        for (long elastic : new long[] {0, 1, 7, 65_536, 80L << 20, 1L << 40}) {
            MemoryBudget sized = new MemoryBudget(MemoryBudget.capacityFor(elastic));
            assertThat(sized.capacity() - sized.reserve()).as("room outside the reserve for %d", elastic)
                    .isBetween(elastic, elastic + 8);
        }
        assertThat(budget.tryAcquire(60)).isTrue();
        assertThat(budget.tryAcquire(50)).as("past the capacity").isFalse();
        assertThat(budget.used()).isEqualTo(60);
        assertThat(budget.tryAcquire(28)).isTrue();
        assertThat(budget.tryAcquire(1)).as("the reserve is only for those who wait").isFalse();
        assertThat(budget.acquire(12, Duration.ofMillis(1))).as("an uploader gets the reserve").isTrue();
        assertThat(budget.available()).isZero();
        budget.release(100);
        assertThatThrownBy(() -> budget.release(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only 0 are held");
        assertThat(budget.used()).isZero();
        assertThat(budget.tryAcquire(101)).as("more than the whole budget").isFalse();
        assertThatThrownBy(() -> budget.acquire(101, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> budget.tryAcquire(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void heapHeldBytesStayWithinTheirShareOfTheBudget() {
        MemoryBudget budget = new MemoryBudget(1000, 300);
        assertThat(budget.tryAcquireHeap(200)).isTrue();
        assertThat(budget.tryAcquireHeap(200)).as("past the heap share, though the budget has room").isFalse();
        assertThat(budget.tryAcquire(500)).as("direct users are not held to it").isTrue();
        assertThat(budget.heapUsed()).isEqualTo(200);
        assertThat(budget.used()).isEqualTo(700);
        budget.releaseHeap(200);
        assertThat(budget.heapUsed()).isZero();
        assertThat(budget.tryAcquireHeap(300)).isTrue();
        assertThat(budget.used()).isEqualTo(800);
    }

    @Test
    void anUploaderWaitsUntilBytesComeBackOrItsTimeRunsOut() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        assertThat(budget.tryAcquire(80)).isTrue();
        assertThat(budget.acquire(30, Duration.ofMillis(50))).as("spent: times out").isFalse();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> sender = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return budget.acquire(30, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        waiting.await();
        Thread.sleep(100);
        assertThat(sender).as("still waiting while the budget is spent").isNotDone();
        budget.release(80);
        assertThat(sender.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(budget.used()).isEqualTo(30);
    }

    @Test
    void partialPiecesGoToDiskWhenTheBudgetIsSpentAndGiveEverythingBackOnEveryPath() throws Exception {
        TestTorrent t = TestTorrent.single("budget.bin", 6 * PIECE, PIECE);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withMemoryBytes(MemoryBudget.capacityFor(2L * PIECE)))) {
            MemoryBudget budget = shared.memory();
            try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT, shared)) {
                PartialPieces pieces = new PartialPieces(s, shared.hasher(), 100L * PIECE); // the budget, not the cap, limits
                assertThat(pieces.add(0, 0, block(t, 0, 0))).isNull();
                assertThat(pieces.add(1, 0, block(t, 1, 0))).isNull();
                assertThat(budget.used()).isEqualTo(2L * PIECE);
                assertThat(pieces.add(2, 0, block(t, 2, 0))).isNull();
                assertThat(pieces.bytesInMemory()).as("piece 2 found the budget spent").isEqualTo(2L * PIECE);
                assertThat(Files.size(dir.resolve("budget.bin"))).as("its block went to disk").isEqualTo(2L * PIECE + 16384);
                assertThat(finish(pieces, t, 2).get()).as("a piece on disk verifies from there").isTrue();
                assertThat(finish(pieces, t, 0).get()).isTrue();
                // A corrupt piece: memory comes back all the same.
                byte[] bad = block(t, 1, 3);
                bad[0] ^= 1;
                for (int b = 1; b < 3; b++) pieces.add(1, b * 16384, block(t, 1, b));
                assertThat(pieces.add(1, 3 * 16384, bad).get()).isFalse();
                assertThat(pieces.bytesInMemory()).isZero();
                assertThat(budget.used()).as("spare buffers, kept for the next pieces").isLessThanOrEqualTo(2L * PIECE);
                pieces.add(3, 0, block(t, 3, 0));
                pieces.discard(3);
                pieces.add(4, 0, block(t, 4, 0)); // left partial at close
                assertThat(pieces.bytesInMemory()).isEqualTo(PIECE);
            }
            assertThat(budget.used()).as("the storage's close gives everything back").isZero();
        }
    }

    @Test
    void aFailedWriteGivesItsMemoryBack() throws Exception {
        TestTorrent t = TestTorrent.single("full.bin", 2 * PIECE, PIECE);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withMemoryBytes(4L * PIECE))) {
            Storage.Options full = Storage.Options.DEFAULT.withOpener(FailingChannel.diskFullAfter(0));
            try (Storage s = Storage.open(t.metainfo().info(), dir, full, shared)) {
                PartialPieces pieces = new PartialPieces(s, shared.hasher(), 100L * PIECE);
                pieces.add(0, 0, block(t, 0, 0));
                assertThatThrownBy(() -> finish(pieces, t, 0).get()).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(StorageException.class).hasMessageContaining("disk full while writing full.bin");
                assertThat(pieces.bytesInMemory()).isZero();
            }
            assertThat(shared.memory().used()).isZero();
        }
    }

    @Test
    void aPieceQueuedOnTheSharedPoolWhenItsStorageClosesIsCancelledAndGivesItsMemoryBack() throws Exception {
        TestTorrent t = TestTorrent.single("queued.bin", 2 * PIECE, PIECE);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withHashThreads(1))) {
            CountDownLatch otherTorrentsWork = new CountDownLatch(1);
            CompletableFuture<Object> busy = shared.hasher().submit(() -> otherTorrentsWork.await(20, TimeUnit.SECONDS));
            CompletableFuture<Boolean> queued;
            try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT, shared)) {
                PartialPieces pieces = new PartialPieces(s, shared.hasher(), 100L * PIECE);
                pieces.add(0, 0, block(t, 0, 0));
                queued = finish(pieces, t, 0);
                assertThat(queued).isNotDone();
            } // the close does not wait for the other torrent's task ahead of ours
            otherTorrentsWork.countDown();
            busy.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(shared.memory().used()).isZero();
            assertThat(dir.resolve("queued.bin")).as("nothing written after the close").doesNotExist();
        }
    }

    @Test
    void readCachesGiveWayToPartialPiecesAndServeUncachedWhenTheBudgetIsSpent() throws Exception {
        TestTorrent seeded = TestTorrent.single("seeded.bin", 8 * PIECE, PIECE);
        TestTorrent fetched = TestTorrent.single("fetched.bin", 4 * PIECE, PIECE);
        seeded.writeTo(dir);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withMemoryBytes(MemoryBudget.capacityFor(4L * PIECE)));
             Storage seeding = Storage.open(seeded.metainfo().info(), dir, Storage.Options.DEFAULT, shared);
             Storage fetching = Storage.open(fetched.metainfo().info(), dir, Storage.Options.DEFAULT, shared)) {
            MemoryBudget budget = shared.memory();
            ReadCache cache = new ReadCache(seeding, 16L * PIECE);
            for (int piece = 0; piece < 6; piece++) readBlock(cache, seeded, piece);
            assertThat(cache.heldBytes()).as("the cache holds what the budget allows").isEqualTo(4L * PIECE);
            assertThat(budget.used()).isEqualTo(4L * PIECE);

            PartialPieces pieces = new PartialPieces(fetching, shared.hasher(), 100L * PIECE);
            pieces.add(0, 0, block(fetched, 0, 0));
            pieces.add(1, 0, block(fetched, 1, 0));
            assertThat(pieces.bytesInMemory()).as("download data comes before cached copies").isEqualTo(2L * PIECE);
            assertThat(cache.heldBytes()).isEqualTo(2L * PIECE);
            pieces.add(2, 0, block(fetched, 2, 0));
            pieces.add(3, 0, block(fetched, 3, 0));
            assertThat(cache.heldBytes()).isZero();
            assertThat(budget.used()).isEqualTo(4L * PIECE);

            long misses = cache.misses();
            readBlock(cache, seeded, 7);
            readBlock(cache, seeded, 7);
            assertThat(cache.misses()).as("spent: each read goes to disk, uncached").isEqualTo(misses + 2);
            assertThat(cache.heldBytes()).isZero();
            assertThat(budget.used()).isLessThanOrEqualTo(budget.capacity());
        }
    }

    @Test
    void manyThreadsAssemblingDiscardingAndSendingNeverOverdrawAndEndAtZero() throws Exception {
        int pieces = 32, threads = 4;
        TestTorrent t = TestTorrent.single("busy.bin", pieces * PIECE, PIECE);
        try (DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withHashThreads(2)
                .withMemoryBytes(MemoryBudget.capacityFor(5L * PIECE)))) {
            MemoryBudget budget = shared.memory();
            java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> { // a peer's send window, 16 KiB at a time
                try {
                    while (sending.get()) {
                        if (budget.acquire(16 * 1024, Duration.ofSeconds(5))) {
                            most.accumulateAndGet(budget.used(), Math::max);
                            budget.release(16 * 1024);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT, shared)) {
                PartialPieces partial = new PartialPieces(s, shared.hasher(), 100L * PIECE);
                java.util.List<CompletableFuture<java.util.List<CompletableFuture<Boolean>>>> workers = new java.util.ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    int worker = w;
                    workers.add(CompletableFuture.supplyAsync(() -> {
                        java.util.Random random = new java.util.Random(worker);
                        java.util.List<CompletableFuture<Boolean>> outcomes = new java.util.ArrayList<>();
                        try {
                            for (int piece = worker; piece < pieces; piece += threads) {
                                if (random.nextInt(4) == 0) { // a peer went away mid-piece: discarded, fetched again
                                    partial.add(piece, 0, block(t, piece, 0));
                                    partial.discard(piece);
                                }
                                java.util.List<Integer> order = new java.util.ArrayList<>(java.util.List.of(0, 1, 2, 3));
                                java.util.Collections.shuffle(order, random);
                                for (int b : order) {
                                    CompletableFuture<Boolean> done = partial.add(piece, b * 16384, block(t, piece, b));
                                    if (done != null) outcomes.add(done);
                                    most.accumulateAndGet(budget.used(), Math::max);
                                }
                            }
                        } catch (StorageException e) {
                            throw new IllegalStateException(e);
                        }
                        return outcomes;
                    }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
                }
                int verified = 0;
                for (var w : workers) {
                    for (CompletableFuture<Boolean> outcome : w.get(20, TimeUnit.SECONDS)) {
                        assertThat(outcome.get(20, TimeUnit.SECONDS)).isTrue();
                        verified++;
                    }
                }
                assertThat(verified).isEqualTo(pieces);
                for (int piece = 0; piece < pieces; piece++) {
                    ByteBuffer back = ByteBuffer.allocate(PIECE);
                    assertThat(s.read(piece, 0, back)).isTrue();
                    assertThat(back.array()).isEqualTo(t.piece(piece));
                }
            } finally {
                sending.set(false);
                sender.get(10, TimeUnit.SECONDS);
            }
            assertThat(most.get()).as("never past the capacity").isLessThanOrEqualTo(budget.capacity());
            assertThat(budget.used()).as("all given back").isZero();
        }
    }

    private static CompletableFuture<Boolean> finish(PartialPieces pieces, TestTorrent t, int piece) throws StorageException {
        CompletableFuture<Boolean> done = null;
        for (int b = 1; b < 4; b++) done = pieces.add(piece, b * 16384, block(t, piece, b));
        return done;
    }

    private static void readBlock(ReadCache cache, TestTorrent t, int piece) throws StorageException {
        ByteBuffer into = ByteBuffer.allocate(16384);
        cache.read(piece, PIECE, 0, into);
        assertThat(into.array()).isEqualTo(java.util.Arrays.copyOf(t.piece(piece), 16384));
    }

    private static byte[] block(TestTorrent t, int piece, int block) {
        int from = block * PieceLayout.BLOCK_SIZE;
        return java.util.Arrays.copyOfRange(t.piece(piece), from, from + PieceLayout.BLOCK_SIZE);
    }
}
