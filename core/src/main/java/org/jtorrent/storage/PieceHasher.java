package org.jtorrent.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of platform threads for SHA-1 and the piece writes that follow it, so hashing never
 * runs on a connection's thread (the network keeps flowing while a 4 MiB piece hashes) and at most
 * a few cores hash at once.
 */
public final class PieceHasher implements AutoCloseable {
    private final ExecutorService pool;

    public PieceHasher(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jtorrent-hash-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** One thread per core, at most four: hashing is memory-bound past that. */
    public static PieceHasher forThisMachine() {
        return new PieceHasher(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    }

    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    public static byte[] sha1(byte[] data) {
        return sha1(ByteBuffer.wrap(data));
    }

    /** The SHA-1 of {@code data}'s remaining bytes, which it consumes. */
    public static byte[] sha1(ByteBuffer data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            digest.update(data);
            return digest.digest();
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
