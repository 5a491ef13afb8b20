package org.jtorrent.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of platform threads for SHA-1 and the piece writes that follow it, so hashing never
 * runs on a connection's thread (the network keeps flowing while a 4 MiB piece hashes) and at most
 * a few cores hash at once. Pieces hashed from disk are read in chunks of {@link #CHUNK}, never
 * whole.
 */
public final class PieceHasher implements AutoCloseable {
    /** Bytes read from disk at a time when a piece is hashed from there. */
    static final int CHUNK = 1 << 20;
    /** Seconds a pool thread waits for work before it ends. */
    static final long IDLE_SECONDS = 30;
    private final ExecutorService pool;

    /**
     * What a piece hashed from disk is read through, one per pool thread and reused, so the memory
     * a re-check takes is threads x {@link #CHUNK} whatever the piece size. Direct: the kernel copies
     * into it with no bounce through a temporary buffer of the JDK's.
     */
    private final ThreadLocal<ByteBuffer> chunk = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));

    /**
     * No thread starts here: the pool starts one per task up to {@code threads}, and a thread idle
     * for {@link #IDLE_SECONDS} ends, so a session whose torrents all seed holds no hashing threads.
     */
    public PieceHasher(int threads) {
        this.pool = boundedPool(threads, "jtorrent-hash-");
    }

    /**
     * Up to {@code threads} daemon platform threads (file I/O on a virtual thread would pin its
     * carrier), started on demand and ended after {@link #IDLE_SECONDS} idle; tasks wait in order.
     */
    static ThreadPoolExecutor boundedPool(int threads, String namePrefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, namePrefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** One thread per core, at most four: hashing is memory-bound past that. */
    public static PieceHasher forThisMachine() {
        return new PieceHasher(DiskResources.Config.hashThreadsForThisMachine());
    }

    /**
     * Hashes a piece from disk on the pool, through this thread's chunk buffer, and compares it with
     * the torrent's hash: true when it matches, false when it differs or is not all on disk.
     */
    public CompletableFuture<Boolean> verifyOnDisk(Storage storage, int piece) {
        return submit(() -> verifyOnDiskHere(storage, piece));
    }

    /** {@link #verifyOnDisk}'s work, on the calling thread: one of the pool's, whose chunk buffer it uses. */
    boolean verifyOnDiskHere(Storage storage, int piece) throws StorageException {
        MessageDigest sha1 = newSha1();
        return storage.digestPiece(piece, sha1, chunk.get()) && storage.info().hashMatches(piece, sha1.digest());
    }

    /**
     * Runs {@code task} on the pool. A task that fails fails only its own future: the threads go on
     * hashing for every other torrent. After {@link #close}, the future fails at once.
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StorageException("the hashing pool is closed"));
        }
        return result;
    }

    public static byte[] sha1(byte[] data) {
        return sha1(ByteBuffer.wrap(data));
    }

    /** The SHA-1 of {@code data}'s remaining bytes, which it consumes. */
    public static byte[] sha1(ByteBuffer data) {
        MessageDigest digest = newSha1();
        digest.update(data);
        return digest.digest();
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    @Override
    public void close() {
        // Not shutdownNow: interrupting a thread inside FileChannel I/O closes the channel.
        pool.shutdown();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
