package org.jtorrent.peer;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides whether a connection's loop (its reader or its writer) runs on a virtual or a platform
 * thread, by how often it wakes. A virtual thread that waits on an empty socket parks through the
 * poller: an epoll registration, a park and an unpark for every wait. For an idle connection that
 * is free, and a parked virtual thread costs a few hundred bytes where a platform thread costs a
 * stack and a kernel task; for a busy one it is the most expensive way to wait (at 1 GiB from one
 * peer, ~9,000 waits and ~0.3 s of CPU more than a platform thread sleeping in {@code read}). So a
 * loop starts virtual, moves to a platform thread while it wakes often, and back once it is quiet.
 *
 * <p>Platform threads are a process-wide budget ({@link #PLATFORM_THREADS}): past it, busy loops
 * stay virtual, which costs CPU, never correctness. A loop that moved is the same loop on another
 * thread: the old thread starts the new one and returns, so the two never run at once.
 */
final class ThreadPace {
    /** Platform threads for connection loops in this process: a handful of fast peers at a time. */
    static final int PLATFORM_THREADS = 32;
    private static final Semaphore PLATFORM = new Semaphore(PLATFORM_THREADS);
    /** How many times a loop took a platform thread, in this process (for tests). */
    private static final LongAdder PROMOTIONS = new LongAdder();

    /** How long a window of counting lasts. */
    static final long WINDOW_NANOS = 250_000_000L;
    /**
     * Wake-ups in a window that make a loop busy: 64 a second. The writer of a fast download wakes
     * once per batch of requests (an eighth of the pipeline), ~200 times a second at 200 MB/s, so
     * a bound of 256 a second left it virtual.
     */
    static final int BUSY = 16;
    /** Fewer wake-ups a second than this make a loop quiet. */
    static final int QUIET_PER_SECOND = 32;

    enum Verdict { SAME, BUSY, QUIET }

    private long windowStart = System.nanoTime();
    private int events;

    /** Counts one wake-up at {@code now}; at the end of a window, whether the loop was busy or quiet. */
    Verdict event(long now) {
        events++;
        long elapsed = now - windowStart;
        if (events >= BUSY && elapsed < WINDOW_NANOS) {
            reset(now);
            return Verdict.BUSY;
        }
        if (elapsed < WINDOW_NANOS) return Verdict.SAME;
        boolean quiet = events * 1_000_000_000L < QUIET_PER_SECOND * elapsed;
        reset(now);
        return quiet ? Verdict.QUIET : Verdict.SAME;
    }

    private void reset(long now) {
        windowStart = now;
        events = 0;
    }

    /** Takes a platform thread from the budget, if one is left. */
    static boolean acquirePlatform() {
        if (!PLATFORM.tryAcquire()) return false;
        PROMOTIONS.increment();
        return true;
    }

    static long promotions() {
        return PROMOTIONS.sum();
    }

    static void releasePlatform() {
        PLATFORM.release();
    }

    /** Platform threads left in the budget (for tests). */
    static int platformLeft() {
        return PLATFORM.availablePermits();
    }
}
