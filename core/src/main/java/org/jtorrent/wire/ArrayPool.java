package org.jtorrent.wire;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Arrays of one size lent for the length of a write and given back, shared by every connection of
 * the process: a connection holds one only while it writes, so thousands of idle ones hold none.
 * At most {@code cap} idle arrays are kept; beyond that a returned one is left to the collector.
 */
public final class ArrayPool {
    private final int size;
    private final int cap;
    private final ConcurrentLinkedQueue<byte[]> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    public ArrayPool(int size, int cap) {
        this.size = size;
        this.cap = cap;
    }

    /** An array of the pool's size: an idle one, or a new one. */
    public byte[] lease() {
        byte[] b = idle.poll();
        if (b == null) return new byte[size];
        pooled.decrementAndGet();
        return b;
    }

    /** Gives back an array that came from {@link #lease}; the caller no longer uses it. */
    public void giveBack(byte[] b) {
        if (pooled.incrementAndGet() <= cap) {
            idle.offer(b);
        } else {
            pooled.decrementAndGet();
        }
    }
}
