package org.jtorrent.storage;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes written data to stable storage while a download runs, a file at a time once it has
 * {@code every} bytes not yet flushed, on one background thread.
 *
 * <p>Why: resume data may only be saved after the data it vouches for is durable, so closing a
 * download fsyncs its files. Left to the end, that fsync pays for every block allocation of the
 * whole download at once: 0.6 s for a gigabyte written with direct I/O on the benchmark machine,
 * during which the user waits. Flushed as it goes, the final fsync finds almost nothing to do.
 * A failed flush is only logged: the fsync at close repeats it and reports what is still wrong.
 */
final class BackgroundFlush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundFlush.class);

    private final FileHandles handles;
    private final long every;
    private final long[] unflushed; // per file, guarded by this
    private final boolean[] queued; // guarded by this
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        // A platform thread: file I/O on a virtual thread would tie up a carrier for the fsync's length.
        Thread t = new Thread(r, "jtorrent-flush");
        t.setDaemon(true);
        return t;
    });
    private boolean closed; // guarded by this

    /** @param every bytes written to a file before it is flushed; 0 turns flushing off */
    BackgroundFlush(FileHandles handles, int files, long every) {
        this.handles = handles;
        this.every = every;
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

    /** Called under the lock, as close() shuts the executor down under it: never a task after shutdown. */
    private void queue(int file) {
        queued[file] = true;
        thread.execute(() -> flush(file));
    }

    private void flush(int file) {
        synchronized (this) {
            queued[file] = false;
            unflushed[file] = 0;
            if (closed) return;
        }
        try (FileHandles.Lease lease = handles.acquire(file)) {
            lease.channel().force(false);
        } catch (IOException e) {
            log.debug("background flush of file {} failed (the flush at close will retry): {}", file, e.toString());
        }
    }

    /** Stops flushing; a flush already running is waited for, so the files can be closed after. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            thread.shutdown();
        }
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
