package org.jtorrent.storage;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.PieceLayout;

/**
 * Assembles pieces from blocks and verifies each one as it completes.
 *
 * <p>A piece is kept in memory while its blocks arrive, then hashed from that memory on the
 * {@link PieceHasher} pool and written only if the hash matches: good data is read from disk
 * never, bad data is written never. Memory held by partial pieces is capped twice: by this
 * torrent's {@code memoryCap} and by the session's {@link MemoryBudget}, which every torrent's
 * partial pieces, read caches and send windows share. A piece that would exceed either has its
 * blocks written straight to disk instead and is hashed from disk when complete (a slower path that
 * keeps memory bounded whatever the piece size, peer count or number of torrents). Under pressure
 * from others, the budget takes back the spare buffers kept for reuse ({@link #reclaim}).
 *
 * <p>Outcome of a completed piece: the future yields true (verified, on disk) or false (hash
 * mismatch: the caller re-downloads it), or fails with a {@link StorageException} that stops the
 * download. Thread-safe.
 */
public final class PartialPieces implements MemoryBudget.Holder {
    private final InfoDict info;
    private final PieceLayout layout;
    private final Storage storage;
    private final PieceHasher hasher;
    private final long memoryCap;
    private final MemoryBudget budget;
    /** Guards the maps, the spare buffers and the counts; never held during disk I/O or hashing. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Partial> partial = new HashMap<>();
    /**
     * Buffers of full piece length, reused: fresh memory costs a page fault per 4 KiB on first
     * touch (0.3 GB/s on the machines we measured, against 15 GB/s into warm pages). Bounded by the
     * memory cap. They are direct and aligned ({@link Storage#allocatePieceBuffer}): the connection's
     * reader copies a block in from its own direct buffer, and the disk write goes out of this one
     * without a copy into a staging buffer.
     */
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private long liveBytes;  // buffers of pieces being assembled or hashed
    private long spareBytes; // buffers in spare; live and spare together are what this takes from the budget
    private boolean closed;
    private int running; // verifications running on the pool now
    private final Condition idle = lock.newCondition(); // signalled when one ends
    /** How long the storage's close waits for verifications under way. */
    static final long CLOSE_WAIT_SECONDS = 30;

    private static final class Partial {
        final ByteBuffer buffer; // null: blocks go to disk
        final BitSet blocks = new BitSet();
        int received;

        Partial(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    /**
     * @param memoryCap this torrent's partial pieces in memory at most; the budget of the storage's
     *                  {@link DiskResources} bounds all torrents' together. The storage's close
     *                  gives the memory back.
     */
    public PartialPieces(Storage storage, PieceHasher hasher, long memoryCap) {
        this.info = storage.info();
        this.layout = info.layout();
        this.storage = storage;
        this.hasher = hasher;
        this.memoryCap = memoryCap;
        this.budget = storage.resources().memory();
        storage.holdMemory(this);
    }

    /** {@link #add(int, int, ByteBuffer, int, int)} with a whole array. */
    public CompletableFuture<Boolean> add(int piece, int begin, byte[] data) throws StorageException {
        return add(piece, begin, ByteBuffer.wrap(data), 0, data.length);
    }

    /**
     * Adds one block ({@code begin} on a block boundary, the block's exact size: the connection
     * only accepts blocks it requested), copied from {@code length} bytes of {@code src} at the
     * absolute index {@code offset} before this returns. Returns null while the piece is incomplete.
     */
    public CompletableFuture<Boolean> add(int piece, int begin, ByteBuffer src, int offset, int length) throws StorageException {
        int block = begin / PieceLayout.BLOCK_SIZE;
        if (begin % PieceLayout.BLOCK_SIZE != 0 || length != layout.blockSize(piece, block)) {
            throw new IllegalArgumentException("not a block: piece " + piece + " begin " + begin + " length " + length);
        }
        Partial p;
        boolean complete;
        lock.lock();
        try {
            p = partial.computeIfAbsent(piece, this::start);
            if (p.blocks.get(block)) return null; // a duplicate (e.g. end game): the first copy counts
            p.blocks.set(block);
            if (p.buffer != null) p.buffer.put(begin, src, offset, length);
        } finally {
            lock.unlock();
        }
        if (p.buffer == null) storage.write(piece, begin, src.slice(offset, length));
        lock.lock();
        try {
            p.received++;
            complete = p.received == layout.blockCount(piece) && partial.remove(piece, p);
        } finally {
            lock.unlock();
        }
        if (!complete) return null;
        return p.buffer != null ? verifyAndWrite(piece, p.buffer) : verifyFromDisk(piece);
    }

    /** Forgets a partial piece (its blocks will be requested again). */
    public void discard(int piece) {
        lock.lock();
        try {
            Partial p = partial.remove(piece);
            if (p != null && p.buffer != null) release(p.buffer);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of pieces being assembled or hashed in memory (spare buffers kept for reuse not included). */
    public long bytesInMemory() {
        lock.lock();
        try {
            return liveBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: a buffer from the spares or a new one if the cap and the budget allow, else a piece on disk. */
    private Partial start(int piece) {
        int size = layout.pieceSize(piece);
        if (closed || liveBytes + size > memoryCap) return new Partial(null);
        ByteBuffer buffer = size == layout.pieceLength() ? spare.poll() : null;
        if (buffer != null) {
            spareBytes -= size; // already taken from the budget
        } else {
            // Spares count against the cap as well: those that stand in the way go before we spill.
            if (liveBytes + spareBytes + size > memoryCap) dropSpares(liveBytes + spareBytes + size - memoryCap);
            if (!budget.tryAcquire(size)) return new Partial(null);
            try {
                buffer = storage.allocatePieceBuffer(size);
            } catch (OutOfMemoryError e) { // direct memory (-XX:MaxDirectMemorySize) ran out first: spill
                budget.release(size);
                return new Partial(null);
            }
        }
        liveBytes += size;
        return new Partial(buffer);
    }

    /**
     * Gives a piece buffer back; called with the lock held. A full-length one is kept for the next
     * piece (still taken from the budget, which may {@link #reclaim} it), the rest is released.
     */
    private void release(ByteBuffer buffer) {
        int size = buffer.capacity();
        liveBytes -= size;
        if (!closed && size == layout.pieceLength() && liveBytes + spareBytes + size <= memoryCap) {
            spare.push(buffer.clear());
            spareBytes += size;
        } else {
            budget.release(size);
        }
    }

    /** Frees spare buffers until {@code bytes} are freed or none is left; under the lock. Returns bytes freed. */
    private long dropSpares(long bytes) {
        long freed = 0;
        while (freed < bytes && !spare.isEmpty()) {
            int size = spare.pop().capacity();
            spareBytes -= size;
            budget.release(size);
            freed += size;
        }
        return freed;
    }

    /** The torrent has all its pieces: the spare buffers go back to the budget now, not under pressure later. */
    public void releaseSpares() {
        lock.lock();
        try {
            dropSpares(Long.MAX_VALUE);
        } finally {
            lock.unlock();
        }
    }

    /** The budget runs short elsewhere: spare buffers go back (live pieces stay). Never waits for the lock. */
    @Override
    public long reclaim(long bytes) {
        return MemoryBudget.reclaimWithoutWaiting(lock, this::dropSpares, bytes);
    }

    /**
     * The storage closes: spare buffers and pieces being assembled give their memory back now,
     * pieces being verified when they are done (waited for, at most {@link #CLOSE_WAIT_SECONDS}),
     * pieces queued for the pool when it reaches them; no new piece is assembled in memory.
     */
    @Override
    public void releaseAll() {
        lock.lock();
        try {
            closed = true;
            dropSpares(Long.MAX_VALUE);
            for (Partial p : partial.values()) {
                if (p.buffer != null) release(p.buffer);
            }
            partial.clear();
            // Verifications under way finish (their writes need the files, closed after this);
            // queued ones will find the flag and do nothing.
            long left = TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
            while (running > 0 && left > 0) left = idle.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private CompletableFuture<Boolean> verifyAndWrite(int piece, ByteBuffer data) {
        return onPool(piece, data, () -> {
            if (!info.hashMatches(piece, PieceHasher.sha1(data.duplicate()))) return false;
            storage.write(piece, 0, data.duplicate());
            return true;
        });
    }

    private CompletableFuture<Boolean> verifyFromDisk(int piece) {
        return onPool(piece, null, () -> hasher.verifyOnDiskHere(storage, piece));
    }

    /**
     * Runs a piece's verification on the hashing pool, which other torrents share: its buffer (if
     * in memory) is released on every path before the outcome is known, so a caller that sees the
     * outcome sees the memory back, a pool that refused the task included. A task that finds the
     * storage closed does nothing and ends in a {@link CancellationException}; one running when it
     * closes is waited for ({@link #releaseAll}), so a verified piece's write is not cut short.
     */
    private CompletableFuture<Boolean> onPool(int piece, ByteBuffer buffer, Callable<Boolean> verification) {
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Boolean> outcome = hasher.submit(() -> {
            ran.set(true);
            lock.lock();
            try {
                if (closed) {
                    if (buffer != null) release(buffer);
                    throw new CancellationException("piece " + piece + " not verified: the storage closed");
                }
                running++;
            } finally {
                lock.unlock();
            }
            try {
                return verification.call();
            } finally {
                lock.lock();
                try {
                    running--;
                    if (buffer != null) release(buffer);
                    idle.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
        if (outcome.isDone() && !ran.get() && buffer != null) { // the pool refused the task: closed
            lock.lock();
            try {
                release(buffer);
            } finally {
                lock.unlock();
            }
        }
        return outcome;
    }
}
