package org.jtorrent.peer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread for the checks of every connection in the process (keep-alives, the idle timeout,
 * the write deadline, snubbing), in place of a timer thread per connection. Each check says when it
 * is due next: a connection with traffic in flight looks again within a second, an idle one only
 * at its next deadline (its keep-alive, its idle timeout), and a {@link Registration#poke poke}
 * (something was posted or a write began) brings it back within {@link #GRANULARITY_MILLIS}. The
 * thread runs, in one pass, every check that is due, then naps until the next one is, at least a
 * granularity; a check due more than {@link #FAR_NANOS} ahead is rounded up to a whole second, so
 * that the idle connections' checks share passes. At 2,000 idle connections: about one wake-up a
 * second and a few dozen checks, where a fixed 1 s period each took 10 wake-ups and 2,000 checks a
 * second (and a scheduled executor with a task per connection, 2,000 wake-ups).
 *
 * <p>A check must never wait: it reads volatile fields, posts to an outbox (which never blocks),
 * takes a connection's lock only with {@code tryLock}, and hands anything heavier (closing a
 * connection, which calls into the engine) to a thread of its own. A check runs up to one
 * granularity late (a second for a far one), which the timeouts it serves (seconds) do not notice.
 *
 * <p>The thread starts with the first registration (constructors start no threads) and is a daemon:
 * it holds nothing that must be finished at exit.
 */
final class ConnectionTimers {
    static final long GRANULARITY_MILLIS = 100;
    private static final long GRANULARITY_NANOS = GRANULARITY_MILLIS * 1_000_000L;
    /** A check due further ahead than this is rounded up to a whole second (it is a keep-alive or an idle timeout). */
    static final long FAR_NANOS = 10_000_000_000L;
    private static final long SECOND_NANOS = 1_000_000_000L;
    /** The longest nap, with nothing due before. */
    private static final long MAX_NAP_NANOS = 10 * SECOND_NANOS;

    private ConnectionTimers() {
    }

    /** A connection's check. */
    interface Check {
        /**
         * Runs the check at {@code now} ({@link System#nanoTime()}); returns when it is due next,
         * on the same clock.
         */
        long run(long now);
    }

    /** A check on the timer thread until {@link #cancel} (idempotent). */
    static final class Registration {
        private final Check check;
        private volatile long due;
        private volatile boolean poked;

        private Registration(Check check, long due) {
            this.check = check;
            this.due = due;
        }

        void cancel() {
            Holder.REGISTRATIONS.remove(this);
        }

        /**
         * Something happened that may bring a deadline forward (a message posted, a write begun):
         * the check runs within {@code withinNanos} (a granularity at least), whenever it said it
         * was due. The thread is woken only if its nap would end later than that: under a steady
         * stream of pokes it keeps its pace of passes instead of waking for each.
         */
        void poke(long withinNanos) {
            poked = true;
            Holder.poked(withinNanos);
        }

        /** When the check is due next ({@link System#nanoTime()}), unless poked. */
        long due() {
            return due;
        }
    }

    private static final class Holder {
        static final Set<Registration> REGISTRATIONS = ConcurrentHashMap.newKeySet();
        /**
         * Set by a poke or a registration, cleared by each pass: one after the pass looked keeps the
         * next nap short.
         */
        static volatile boolean anyPoked;
        /** When the thread's nap ends: a poke or registration due well before wakes it. */
        static volatile long napEnds = System.nanoTime();
        static final Thread THREAD = Thread.ofPlatform().daemon().name("peer-timers").start(Holder::run);

        /** Wakes the thread if it naps more than a granularity beyond {@code due}. */
        static void dueBy(long due) {
            if (napEnds - due > GRANULARITY_NANOS) LockSupport.unpark(THREAD);
        }

        static void poked(long withinNanos) {
            anyPoked = true; // before reading napEnds; the thread writes napEnds before reading this
            if (napEnds - (System.nanoTime() + Math.max(withinNanos, GRANULARITY_NANOS)) > 0) LockSupport.unpark(THREAD);
        }

        private static void run() {
            while (true) {
                anyPoked = false;
                long now = System.nanoTime();
                long next = now + MAX_NAP_NANOS;
                for (Registration r : REGISTRATIONS) {
                    if (r.poked || r.due - now <= 0) {
                        r.poked = false;
                        r.due = roundFar(runCheck(r, now), now);
                    }
                    if (r.due - next < 0) next = r.due;
                }
                long nap = Math.max(GRANULARITY_NANOS, next - now);
                napEnds = now + nap;
                if (anyPoked) nap = GRANULARITY_NANOS; // poked while the pass ran, maybe behind it
                LockSupport.parkNanos(nap);
            }
        }

        private static long runCheck(Registration r, long now) {
            try {
                return r.check.run(now);
            } catch (Throwable e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
                return now + SECOND_NANOS;
            }
        }
    }

    /** A due time more than {@link #FAR_NANOS} after {@code now} rounded up to a whole second of the clock; others as they are. */
    static long roundFar(long due, long now) {
        if (due - now <= FAR_NANOS) return due;
        return Math.floorDiv(due, SECOND_NANOS) * SECOND_NANOS + SECOND_NANOS;
    }

    /** Runs {@code check} first after {@code firstDelayMillis}, then whenever it says, until the registration is cancelled. */
    static Registration schedule(long firstDelayMillis, Check check) {
        long due = System.nanoTime() + firstDelayMillis * 1_000_000L;
        Registration r = new Registration(check, due);
        Holder.REGISTRATIONS.add(r);
        // A pass under way may have gone by without it and be about to nap long: as for a poke, the
        // flag (set before napEnds is read) keeps that nap short, or napEnds makes us wake it.
        Holder.anyPoked = true;
        Holder.dueBy(due);
        return r;
    }
}
