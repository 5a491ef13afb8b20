package org.jtorrent.peer;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One thread for the periodic checks of every connection in the process (keep-alives, the idle
 * timeout, the write deadline, snubbing), in place of a timer thread per connection. Two thousand
 * idle connections each waking a thread once a second cost measurable CPU on their own; on one
 * thread the same checks are a few microseconds each, done in a row. A check must never wait: it
 * reads volatile fields, posts to an outbox (which never blocks), takes a connection's lock only with
 * {@code tryLock}, and hands anything heavier (closing a connection, which calls into the engine)
 * to a thread of its own.
 *
 * <p>The thread starts with the first connection that schedules a check (constructors start no
 * threads) and is a daemon: it holds nothing that must be finished at exit. Cancelled checks leave
 * the queue at once.
 */
final class ConnectionTimers {
    private ConnectionTimers() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("peer-timers").factory());
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }

    /**
     * Runs {@code check} every {@code periodMillis} until the returned future is cancelled. A check
     * that throws is reported to the thread's handler and does not stop later runs.
     */
    static ScheduledFuture<?> every(long periodMillis, Runnable check) {
        Runnable guarded = () -> {
            try {
                check.run();
            } catch (Throwable e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        };
        return Holder.EXECUTOR.scheduleWithFixedDelay(guarded, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
}
