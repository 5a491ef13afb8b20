package org.jtorrent.storage;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes written data to stable storage while a download runs, a file at a time once it has
 * {@code every} bytes not yet flushed, on the session's flush executor ({@link DiskResources}),
 * which a few threads serve for every torrent.
 *
 * <p>Why: resume data may only be saved after the data it vouches for is durable, so closing a
 * download fsyncs its files. Left to the end, that fsync pays for every block allocation of the
 * whole download at once: 0.6 s for a gigabyte written with direct I/O on the benchmark machine,
 * during which the user waits. Flushed as it goes, the final fsync finds almost nothing to do.
 * A failed flush is only logged: the fsync at close repeats it and reports what is still wrong,
 * and the executor goes on flushing the other torrents' files.
 */
final class BackgroundFlush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundFlush.class);
    /** How long close waits for a flush of this storage already running. */
    private static final long CLOSE_WAIT_MILLIS = 30_000;

    private final FileHandles.Group handles;
    private final long every;
    private final Executor executor;
    private final long[] unflushed; // per file, guarded by this
    private final boolean[] queued; // guarded by this
    private int running; // flushes of ours under way, guarded by this
    private boolean closed; // guarded by this

    /** @param every bytes written to a file before it is flushed; 0 turns flushing off */
    BackgroundFlush(FileHandles.Group handles, int files, long every, Executor executor) {
        this.handles = handles;
        this.every = every;
        this.executor = executor;
        this.unflushed = new long[files];
        this.queued = new boolean[files];
    }

    /** Counts bytes written to {@code file}, and queues a flush of it once enough have piled up. */
    void wrote(int file, long bytes) {
        if (every <= 0) return;
        synchronized (this) {
            unflushed[file] += bytes;
            if (closed || queued[file] || unflushed[file] < every) return;
            queue(file);
        }
    }

    /**
     * Queues a flush of every file with bytes not yet flushed, however few: the download is
     * complete, and the fsync at close then finds its work done or under way.
     */
    void flushAll() {
        if (every <= 0) return;
        synchronized (this) {
            if (closed) return;
            for (int file = 0; file < unflushed.length; file++) {
                if (!queued[file] && unflushed[file] > 0) queue(file);
            }
        }
    }

    /** Called under the lock. A file is queued at most once: the executor's queue is bounded by the files. */
    private void queue(int file) {
        queued[file] = true;
        try {
            executor.execute(() -> flush(file));
        } catch (RejectedExecutionException e) { // the session is closing: the fsync at close does it
            queued[file] = false;
        }
    }

    private void flush(int file) {
        synchronized (this) {
            queued[file] = false;
            unflushed[file] = 0;
            if (closed) return;
            running++;
        }
        try (FileHandles.Lease lease = handles.acquire(file)) {
            lease.channel().force(false);
        } catch (IOException e) {
            log.debug("background flush of file {} failed (the flush at close will retry): {}", file, e.toString());
        } finally {
            synchronized (this) {
                running--;
                notifyAll();
            }
        }
    }

    /**
     * Stops flushing; a flush of ours already running is waited for, so the files can be closed
     * after. Queued ones are dropped (they see the flag). The executor goes on for the others.
     */
    @Override
    public synchronized void close() {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        try {
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
