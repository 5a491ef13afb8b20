package org.jtorrent.storage;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whole pieces recently read for upload, least recently used first out. Peers ask for a piece's
 * blocks one after another, so one read of the piece serves all of them: one positional read per
 * piece and file instead of one per 16 KiB block. Pieces larger than a quarter of the capacity are
 * read block by block and never cached, so one huge piece cannot evict everything.
 */
public final class ReadCache {
    private final Storage storage;
    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock(); // held only around the map, never during a read
    private final LinkedHashMap<Integer, byte[]> pieces = new LinkedHashMap<>(16, 0.75f, true);
    private long held;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public ReadCache(Storage storage, long capacityBytes) {
        this.storage = storage;
        this.capacity = capacityBytes;
    }

    /**
     * Fills {@code into} with {@code into.remaining()} bytes from {@code begin} in {@code piece}, the
     * piece being one we have. Returns false when the data is not on disk (see {@link Storage#read}).
     */
    public boolean read(int piece, int pieceSize, int begin, ByteBuffer into) throws StorageException {
        if (pieceSize > capacity / 4) return storage.read(piece, begin, into);
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
            if (!storage.read(piece, 0, ByteBuffer.wrap(cached))) return false;
            put(piece, cached);
        } else {
            hits.incrementAndGet();
        }
        into.put(cached, begin, into.remaining());
        return true;
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    private void put(int piece, byte[] data) {
        lock.lock();
        try {
            byte[] previous = pieces.put(piece, data);
            held += data.length - (previous == null ? 0 : previous.length);
            var eldest = pieces.entrySet().iterator();
            while (held > capacity && eldest.hasNext()) {
                Map.Entry<Integer, byte[]> e = eldest.next();
                held -= e.getValue().length;
                eldest.remove();
            }
        } finally {
            lock.unlock();
        }
    }
}
