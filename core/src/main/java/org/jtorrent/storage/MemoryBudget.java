package org.jtorrent.storage;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes that every torrent of a session may hold in memory together: partial pieces
 * ({@link PartialPieces}), the read cache ({@link ReadCache}) and the pieces queued to peers (the
 * connection's send window). One budget bounds them all, whatever the number of torrents.
 *
 * <p>When it is spent, each user backs off its own way: a partial piece is assembled on disk
 * instead (its blocks are written as they come and it is hashed from disk, the path beyond the
 * per-torrent cap), a piece read for upload is served without being cached, and an uploader waits
 * ({@link #acquire(long, Duration)}) until bytes come back. Before anyone backs off, the budget asks
 * the registered {@link Holder}s to give back what they can do without (read caches drop their
 * least recently used pieces, partial pieces their spare buffers): download data comes before
 * cached copies of what is on disk anyway.
 *
 * <p>The last eighth of the budget ({@link #reserve()}) is for those who wait: what never waits
 * (partial pieces, caches) may not take it, so that downloads holding their pieces cannot starve
 * uploads of send buffers; an uploader always finds room once the elastic users are at their limit.
 *
 * <p>Accounting never goes negative: a release of more than is held is a bug, and throws. Every
 * holder gives everything back when its torrent's storage closes ({@link Holder#releaseAll}).
 */
public final class MemoryBudget {
    /**
     * The default for a session: room for a few downloads' partial pieces, caches and send windows,
     * 256 MiB, but never more than half the heap: read caches hold their pieces on the heap, and a
     * budget as large as the heap (the launcher's is 256 MiB) left a seeder of a thousand torrents
     * collecting garbage instead of answering requests.
     */
    public static final long DEFAULT_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 2);

    /** Something that holds budgeted memory and can give some back. */
    public interface Holder {
        /**
         * Gives back up to about {@code bytes} that it can do without, and returns how many it gave.
         * Called from any thread, possibly one inside another holder: it must not block, so a holder
         * that is busy (its lock taken) returns 0.
         */
        long reclaim(long bytes);

        /** Gives back everything: its torrent's storage is closing. */
        void releaseAll();
    }

    /**
     * For a holder's {@link Holder#reclaim}: runs {@code free} with {@code bytes} under the holder's
     * {@code lock} if nobody holds it now, else gives 0: reclaiming never waits.
     */
    static long reclaimWithoutWaiting(ReentrantLock lock, LongUnaryOperator free, long bytes) {
        if (!lock.tryLock()) return 0;
        try {
            return free.applyAsLong(bytes);
        } finally {
            lock.unlock();
        }
    }

    private final long capacity;
    private final long reserve;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long used; // guarded by lock
    private final CopyOnWriteArrayList<Holder> holders = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextVictim = new AtomicInteger(); // spreads reclaiming over the holders

    /**
     * What users that keep their bytes on the Java heap (read caches) may hold together: at most a
     * quarter of the heap, whatever the budget, since the rest of the heap is the program's. Partial
     * pieces and send windows are direct buffers, outside it. Without this a seeder of a thousand
     * torrents filled its 256 MiB heap with cached pieces and did nothing but collect garbage.
     */
    private final long heapLimit;
    private final java.util.concurrent.atomic.AtomicLong heapUsed = new java.util.concurrent.atomic.AtomicLong();

    public MemoryBudget(long capacityBytes) {
        this(capacityBytes, Runtime.getRuntime().maxMemory() / 4);
    }

    /** @param heapBytes what heap-held users ({@link #tryAcquireHeap}) may take together, within the budget */
    public MemoryBudget(long capacityBytes, long heapBytes) {
        if (capacityBytes < 0 || heapBytes < 0) throw new IllegalArgumentException("memory budget must not be negative");
        this.capacity = capacityBytes;
        this.reserve = capacityBytes / 8;
        this.heapLimit = Math.min(capacityBytes, heapBytes);
    }

    /**
     * {@link #tryAcquire} for bytes kept on the heap: also within the heap share (asking holders for
     * room, read caches among them, when it is spent). Give them back with {@link #releaseHeap}.
     */
    public boolean tryAcquireHeap(long bytes) {
        if (!takeHeap(bytes)) {
            reclaim(bytes);
            if (!takeHeap(bytes)) return false;
        }
        if (tryAcquire(bytes)) return true;
        heapUsed.addAndGet(-bytes);
        return false;
    }

    private boolean takeHeap(long bytes) {
        while (true) {
            long now = heapUsed.get();
            if (now + bytes > heapLimit) return false;
            if (heapUsed.compareAndSet(now, now + bytes)) return true;
        }
    }

    /** Gives back bytes taken with {@link #tryAcquireHeap}. */
    public void releaseHeap(long bytes) {
        release(bytes);
        heapUsed.addAndGet(-bytes);
    }

    /** Bytes held on the heap now (read caches). */
    public long heapUsed() {
        return heapUsed.get();
    }

    public long capacity() {
        return capacity;
    }

    public long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    public long available() {
        return capacity - used();
    }

    /** The capacity whose part outside the reserve is at least {@code elasticBytes}. */
    public static long capacityFor(long elasticBytes) {
        return elasticBytes + elasticBytes / 7 + 8;
    }

    /** Bytes only {@link #acquire(long, Duration)} may take: {@link #tryAcquire} leaves them free. */
    public long reserve() {
        return reserve;
    }

    /**
     * Takes {@code bytes} if they are free outside the {@link #reserve}, after asking the holders
     * for room if they are not; never waits. Returns whether they were taken (then {@link #release}
     * them).
     */
    public boolean tryAcquire(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative bytes: " + bytes);
        long limit = capacity - reserve;
        if (bytes > limit) return false;
        if (take(bytes, limit)) return true;
        reclaim(bytes - (limit - used()));
        return take(bytes, limit);
    }

    /**
     * Takes {@code bytes}, waiting up to {@code timeout} for them to be released: the back-pressure
     * for uploaders (a send window waits here, not the socket). Returns false on timeout. Throws if
     * {@code bytes} exceeds the whole budget, which no wait can satisfy.
     */
    public boolean acquire(long bytes, Duration timeout) throws InterruptedException {
        if (bytes < 0) throw new IllegalArgumentException("negative bytes: " + bytes);
        if (bytes > capacity) throw new IllegalArgumentException(bytes + " bytes exceed the whole memory budget of " + capacity);
        if (take(bytes, capacity)) return true;
        reclaim(bytes - available());
        if (take(bytes, capacity)) return true;
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (used + bytes > capacity) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                released.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                if (used + bytes > capacity) {
                    lock.unlock(); // reclaiming calls holders: never under our lock
                    try {
                        reclaim(bytes - (capacity - used()));
                    } finally {
                        lock.lock();
                    }
                }
            }
            used += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back bytes taken before. Throws on more than is held: the accounting would be wrong. */
    public void release(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative bytes: " + bytes);
        if (bytes == 0) return;
        lock.lock();
        try {
            if (bytes > used) throw new IllegalStateException("released " + bytes + " bytes, but only " + used + " are held");
            used -= bytes;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Lets the budget ask {@code holder} for memory when it runs short; undone by {@link #unregister}. */
    void register(Holder holder) {
        holders.add(holder);
    }

    void unregister(Holder holder) {
        holders.remove(holder);
    }

    private boolean take(long bytes, long limit) {
        lock.lock();
        try {
            if (used + bytes > limit) return false;
            used += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Asks holders, starting at a different one each time, until {@code wanted} bytes came back. */
    private void reclaim(long wanted) {
        Object[] all = holders.toArray();
        if (all.length == 0) return;
        int start = Math.floorMod(nextVictim.getAndIncrement(), all.length);
        long freed = 0;
        for (int i = 0; i < all.length && freed < wanted; i++) {
            freed += ((Holder) all[(start + i) % all.length]).reclaim(wanted - freed);
        }
    }
}
