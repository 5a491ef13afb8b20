package org.jtorrent.storage;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.metainfo.PieceLayout.FileSlice;

/**
 * Whole pieces recently read for upload, least recently used first out. Peers ask for a piece's
 * blocks one after another, so one read of the piece serves all of them: one positional read per
 * piece and file instead of one per 16 KiB block. Pieces larger than a quarter of the capacity are
 * read block by block and never cached, so one huge piece cannot evict everything.
 *
 * <p>Cached pieces are taken from the session's {@link MemoryBudget} as well as from this cache's
 * capacity: when the budget is spent a piece is served without being cached, and when others need
 * room the budget has this cache drop its least recently used pieces ({@link #reclaim}).
 *
 * <p>Only pieces we have are read here, so data missing from disk is an error, not a miss: a file
 * deleted or truncated under a seeding torrent fails with a {@link StorageException} that names it,
 * never a silent short or zero read.
 */
public final class ReadCache implements MemoryBudget.Holder {
    private final Storage storage;
    private final long capacity;
    private final MemoryBudget budget;
    private final ReentrantLock lock = new ReentrantLock(); // held only around the map, never during a read
    private final LinkedHashMap<Integer, byte[]> pieces = new LinkedHashMap<>(16, 0.75f, true);
    private long held; // guarded by lock; all of it taken from the budget
    private boolean closed; // guarded by lock
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** A cache of up to {@code capacityBytes} on the storage's budget; the storage's close empties it. */
    public ReadCache(Storage storage, long capacityBytes) {
        this.storage = storage;
        this.capacity = capacityBytes;
        this.budget = storage.resources().memory();
        storage.holdMemory(this);
    }

    /**
     * Fills {@code into} with {@code into.remaining()} bytes from {@code begin} in {@code piece}, a
     * piece we have. Throws a {@link StorageException} naming the files when its data is not on disk.
     */
    public void read(int piece, int pieceSize, int begin, ByteBuffer into) throws StorageException {
        if (pieceSize > capacity / 4) {
            readFromDisk(piece, begin, into);
            return;
        }
        byte[] cached;
        lock.lock();
        try {
            cached = pieces.get(piece);
        } finally {
            lock.unlock();
        }
        if (cached == null) {
            misses.incrementAndGet();
            cached = new byte[pieceSize];
            readFromDisk(piece, 0, ByteBuffer.wrap(cached));
            put(piece, cached);
        } else {
            hits.incrementAndGet();
        }
        into.put(cached, begin, into.remaining());
    }

    private void readFromDisk(int piece, int begin, ByteBuffer into) throws StorageException {
        if (!storage.read(piece, begin, into)) throw missing(piece);
    }

    /** The one-line reason for a piece we have whose data is gone. */
    private StorageException missing(int piece) {
        Set<String> files = new LinkedHashSet<>();
        for (FileSlice slice : storage.info().layout().slices(piece)) {
            if (!slice.padding()) files.add(storage.info().files().get(slice.file()).displayPath());
        }
        return new StorageException("data of piece " + piece + " is missing from disk: " + String.join(", ", files)
                + (files.size() == 1 ? " was" : " were") + " deleted or truncated");
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    /** Bytes of pieces cached now. */
    public long heldBytes() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** Caches a piece read from disk, if the budget has room for it (asking others for room first). */
    private void put(int piece, byte[] data) {
        if (!budget.tryAcquireHeap(data.length)) return; // spent: this read was served, uncached
        lock.lock();
        try {
            byte[] previous = closed ? data : pieces.put(piece, data); // closed: give it straight back
            if (previous != null) budget.releaseHeap(previous.length);
            if (!closed) held += data.length - (previous == null ? 0 : previous.length);
            evict(held - capacity);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: drops least recently used pieces until {@code bytes} are freed. Returns bytes freed. */
    private long evict(long bytes) {
        long freed = 0;
        var eldest = pieces.entrySet().iterator();
        while (freed < bytes && eldest.hasNext()) {
            Map.Entry<Integer, byte[]> e = eldest.next();
            int length = e.getValue().length;
            eldest.remove();
            held -= length;
            budget.releaseHeap(length);
            freed += length;
        }
        return freed;
    }

    /** Others need memory: the least recently used pieces go. Never waits for the lock. */
    @Override
    public long reclaim(long bytes) {
        return MemoryBudget.reclaimWithoutWaiting(lock, this::evict, bytes);
    }

    @Override
    public void releaseAll() {
        lock.lock();
        try {
            closed = true;
            evict(Long.MAX_VALUE);
        } finally {
            lock.unlock();
        }
    }
}
