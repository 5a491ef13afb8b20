package org.jtorrent.choke;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A rate limit in bytes per second, as a token bucket that may go into debt.
 *
 * <p>A caller takes what it needs at once ({@link #reserve}) and is told how long to wait before
 * sending. Letting the level go negative means a 16 KiB block is never split or starved behind a
 * smaller burst, and the long-run rate stays exact: whoever comes next waits for the debt too.
 * The clock is injected so that tests drive time by hand.
 */
public final class TokenBucket {
    /** No limit. */
    public static final long UNLIMITED = 0;

    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait here
    private long bytesPerSecond;
    private long burst;
    private double tokens;
    private long lastRefill;
    private long reservedTotal;

    /**
     * @param bytesPerSecond the rate, or {@link #UNLIMITED}
     * @param burst          most bytes that may go out at once after an idle spell
     */
    public TokenBucket(long bytesPerSecond, long burst, LongSupplier nanoClock) {
        if (bytesPerSecond < 0 || burst <= 0) throw new IllegalArgumentException("rate >= 0 and burst > 0 needed");
        this.nanoClock = nanoClock;
        this.bytesPerSecond = bytesPerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** A bucket on the system clock whose burst is a tenth of a second of traffic (at least one block). */
    public static TokenBucket perSecond(long bytesPerSecond) {
        return new TokenBucket(bytesPerSecond, Math.max(bytesPerSecond / 10, 16 * 1024 + 13), System::nanoTime);
    }

    /** Takes {@code bytes} now and returns how many nanoseconds to wait before sending them (0: go). */
    public long reserve(long bytes) {
        lock.lock();
        try {
            reservedTotal += bytes;
            if (bytesPerSecond == UNLIMITED) return 0;
            refill();
            tokens -= bytes;
            return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
        } finally {
            lock.unlock();
        }
    }

    /** Reserves and sleeps as long as needed: for the thread that is about to send. */
    public void acquire(long bytes) throws InterruptedException {
        long wait = reserve(bytes);
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }

    /** Changes the rate (and burst) while running; tokens above the new burst are dropped. */
    public void setRate(long bytesPerSecond, long burst) {
        if (bytesPerSecond < 0 || burst <= 0) throw new IllegalArgumentException("rate >= 0 and burst > 0 needed");
        lock.lock();
        try {
            boolean wasUnlimited = this.bytesPerSecond == UNLIMITED;
            refill();
            this.bytesPerSecond = bytesPerSecond;
            this.burst = burst;
            tokens = wasUnlimited ? burst : Math.min(tokens, burst); // a new limit starts with a full bucket
        } finally {
            lock.unlock();
        }
    }

    public long bytesPerSecond() {
        lock.lock();
        try {
            return bytesPerSecond;
        } finally {
            lock.unlock();
        }
    }

    /** Every byte ever reserved through this bucket, limited or not: what its users asked for. */
    public long reservedTotal() {
        lock.lock();
        try {
            return reservedTotal;
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastRefill) * (double) bytesPerSecond / 1e9);
        lastRefill = now;
    }
}
