package org.jtorrent.peer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread for the periodic checks of every connection in the process (keep-alives, the idle
 * timeout, the write deadline, snubbing), in place of a timer thread per connection. It wakes at a
 * coarse interval ({@link #GRANULARITY_MILLIS}, or a registered period if one is shorter) and runs,
 * in one pass, every check that is due: at 2,000 connections with a check a second each, that is 10
 * wake-ups a second instead of 2,000. A scheduled executor with a task per connection still woke
 * its thread once per task (each has its own time): 1.8% of a core for 2,000 idle connections, where
 * the whole process should stay under 2%.
 *
 * <p>A check must never wait: it reads volatile fields, posts to an outbox (which never blocks),
 * takes a connection's lock only with {@code tryLock}, and hands anything heavier (closing a
 * connection, which calls into the engine) to a thread of its own. A check runs up to one
 * granularity late, which the timeouts it serves (seconds) do not notice.
 *
 * <p>The thread starts with the first registration (constructors start no threads) and is a daemon:
 * it holds nothing that must be finished at exit.
 */
final class ConnectionTimers {
    static final long GRANULARITY_MILLIS = 100;

    private ConnectionTimers() {
    }

    /** A periodic check; {@link #cancel} removes it (idempotent). */
    static final class Registration {
        private final long periodNanos;
        private final Runnable check;
        private long due; // touched by the timer thread only, after construction

        private Registration(long periodMillis, Runnable check) {
            this.periodNanos = periodMillis * 1_000_000L;
            this.check = check;
            this.due = System.nanoTime() + periodNanos;
        }

        void cancel() {
            Holder.REGISTRATIONS.remove(this);
        }
    }

    private static final class Holder {
        static final Set<Registration> REGISTRATIONS = ConcurrentHashMap.newKeySet();
        static volatile long shortestPeriodMillis = GRANULARITY_MILLIS;

        static {
            Thread.ofPlatform().daemon().name("peer-timers").start(Holder::run);
        }

        private static void run() {
            while (true) {
                LockSupport.parkNanos(Math.min(GRANULARITY_MILLIS, shortestPeriodMillis) * 1_000_000L);
                long now = System.nanoTime();
                for (Registration r : REGISTRATIONS) {
                    if (now - r.due < 0) continue;
                    r.due = now + r.periodNanos;
                    try {
                        r.check.run();
                    } catch (Throwable e) {
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, e);
                    }
                }
            }
        }
    }

    /** Runs {@code check} about every {@code periodMillis} (at least 10) until the registration is cancelled. */
    static Registration every(long periodMillis, Runnable check) {
        Registration r = new Registration(Math.max(10, periodMillis), check);
        if (periodMillis < Holder.shortestPeriodMillis) Holder.shortestPeriodMillis = Math.max(10, periodMillis);
        Holder.REGISTRATIONS.add(r);
        return r;
    }
}
