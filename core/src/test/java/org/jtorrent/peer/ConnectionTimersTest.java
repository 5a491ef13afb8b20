package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared timer runs a check when the check said it is due, or soon after a poke; never per a fixed period. */
@Timeout(20)
class ConnectionTimersTest {
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    @Test
    void aCheckDueInAMinuteDoesNotRunBeforeButAPokeRunsItSoon() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ConnectionTimers.Registration r = counting(runs, MINUTE_NANOS);
        try {
            await(() -> runs.get() == 1);
            assertThat(r.due() - System.nanoTime()).as("the minute it asked for").isGreaterThan(MINUTE_NANOS / 2);
            Thread.sleep(3 * ConnectionTimers.GRANULARITY_MILLIS);
            assertThat(runs).as("not due: no run").hasValue(1);
            r.poke(0);
            await(() -> runs.get() == 2);
        } finally {
            r.cancel();
        }
        r.poke(0);
        Thread.sleep(3 * ConnectionTimers.GRANULARITY_MILLIS);
        assertThat(runs).as("cancelled").hasValue(2);
    }

    @Test
    void aCheckRunsAgainWhenItSaid() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ConnectionTimers.Registration r = counting(runs, 50_000_000L);
        try {
            await(() -> runs.get() >= 3);
        } finally {
            r.cancel();
        }
    }

    /** A poke that may wait a while does not cut the thread's nap short: the check runs at the nap's end, within the time given. */
    @Test
    void aPokeThatMayWaitRunsTheCheckWithinItsTime() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ConnectionTimers.Registration r = counting(runs, MINUTE_NANOS);
        try {
            await(() -> runs.get() == 1);
            r.poke(Duration.ofSeconds(2).toNanos());
            await(() -> runs.get() == 2);
        } finally {
            r.cancel();
        }
    }

    /** Far checks (keep-alives, idle timeouts) land on whole seconds, so that many share one pass. */
    @Test
    void aFarDueIsRoundedUpToAWholeSecondANearOneIsNot() {
        long second = 1_000_000_000L;
        long now = 123 * second + 456;
        assertThat(ConnectionTimers.roundFar(now + 5 * second, now)).isEqualTo(now + 5 * second);
        assertThat(ConnectionTimers.roundFar(now + 90 * second, now)).isEqualTo(214 * second);
        assertThat(ConnectionTimers.roundFar(-500 * second - 7, -600 * second)).isEqualTo(-500 * second);
    }

    /** A check that counts its runs and asks to run again {@code everyNanos} later; first due in 10 ms. */
    private static ConnectionTimers.Registration counting(AtomicInteger runs, long everyNanos) {
        return ConnectionTimers.schedule(10, now -> {
            runs.incrementAndGet();
            return now + everyNanos;
        });
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("waited 10 s");
            Thread.sleep(5);
        }
    }
}
