package org.jtorrent.storage;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What every torrent of a session shares on the disk side, so that 1,000 torrents cost one of each
 * and not 1,000: one pool of open files with one cap ({@link FileHandles}, least recently used
 * closed first, whichever torrent it belongs to), one hashing pool ({@link PieceHasher}), one
 * executor for background flushes ({@link BackgroundFlush}), one set of staging buffers for direct
 * writes, and one {@link MemoryBudget} for partial pieces, read caches and send windows.
 *
 * <p>Nothing here starts a thread when built: the pools start their threads on first use and end
 * them when idle ({@link PieceHasher#IDLE_SECONDS}). Storages opened on it ({@link Storage#open(
 * org.jtorrent.metainfo.InfoDict, java.nio.file.Path, Storage.Options, DiskResources)}) are closed
 * by their owners; {@link #close} ends the pools and closes whatever files are still open.
 *
 * <p>One torrent's disk failure stays its own: a failing channel is evicted from the pool, a
 * failing hash or write fails only that piece's future, a failing flush is logged, and the pools
 * go on serving the other torrents.
 */
public final class DiskResources implements AutoCloseable {

    /**
     * @param openFiles    channels open at once over every torrent (page-cache and direct ones)
     * @param hashThreads  threads hashing pieces (and writing the verified ones)
     * @param flushThreads threads pushing written data to stable storage in the background
     * @param memoryBytes  the {@link MemoryBudget}: partial pieces, read caches and send windows
     */
    public record Config(int openFiles, int hashThreads, int flushThreads, long memoryBytes) {
        /**
         * For a session: 128 files (a socket per peer must fit beside them under the usual limit
         * of 1,024 descriptors), a hashing thread per core (at most four: memory-bound past that),
         * two flush threads (fsync waits on the device, not the CPU), 256 MiB of memory.
         */
        public static final Config DEFAULT = new Config(128, hashThreadsForThisMachine(), 2, MemoryBudget.DEFAULT_BYTES);

        public Config {
            if (openFiles < 1 || hashThreads < 1 || flushThreads < 1) {
                throw new IllegalArgumentException("open files, hash threads and flush threads must be at least 1");
            }
            if (memoryBytes < 0) throw new IllegalArgumentException("memory budget must not be negative");
        }

        public Config withOpenFiles(int files) {
            return new Config(files, hashThreads, flushThreads, memoryBytes);
        }

        public Config withHashThreads(int threads) {
            return new Config(openFiles, threads, flushThreads, memoryBytes);
        }

        public Config withFlushThreads(int threads) {
            return new Config(openFiles, hashThreads, threads, memoryBytes);
        }

        public Config withMemoryBytes(long bytes) {
            return new Config(openFiles, hashThreads, flushThreads, bytes);
        }

        static int hashThreadsForThisMachine() {
            return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        }
    }

    private final Config config;
    private final FileHandles files;
    private final PieceHasher hasher;
    private final ExecutorService flushes;
    private final DirectWriter.Staging staging = new DirectWriter.Staging(DirectWriter.MAX_STAGING);
    private final MemoryBudget memory;

    public DiskResources(Config config) {
        this.config = config;
        this.files = new FileHandles(config.openFiles());
        this.hasher = new PieceHasher(config.hashThreads());
        this.flushes = PieceHasher.boundedPool(config.flushThreads(), "jtorrent-flush-");
        this.memory = new MemoryBudget(config.memoryBytes());
    }

    public Config config() {
        return config;
    }

    public PieceHasher hasher() {
        return hasher;
    }

    public MemoryBudget memory() {
        return memory;
    }

    /** Channels the process holds open now for every torrent on these resources. */
    public int openFiles() {
        return files.channelsOpen();
    }

    FileHandles files() {
        return files;
    }

    ExecutorService flushes() {
        return flushes;
    }

    DirectWriter.Staging staging() {
        return staging;
    }

    /**
     * Ends the hashing and flush pools (work already queued runs first) and closes every file
     * still open. Storages should be closed before: their fsync at close needs their files.
     */
    @Override
    public void close() throws IOException {
        hasher.close();
        flushes.shutdown();
        try {
            flushes.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.close();
    }
}
