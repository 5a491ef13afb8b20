package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.ScriptedHttpTracker;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.TrackerSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, finding 5: one tracker reply ended a tier's announce thread for good. Each hostile
 * first reply below killed it on 449ae4b; the thread must live on, so the {@code completed} that
 * follows still reaches the tracker, and {@code stopped} at close too.
 */
@Timeout(30)
class AnnouncerTest {
    private static final InfoHash HASH = InfoHash.fromHex("cccccccccccccccccccccccccccccccccccccccc");
    private static final TrackerConfig QUICK = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(2))
            .withRetryBase(Duration.ofMillis(200));
    private static final byte[] SANE = ScriptedHttpTracker.reply("d8:intervali1800e5:peers0:e");
    private static final TrackerSession.Progress PROGRESS = new TrackerSession.Progress(0, 0, 100);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "chunk sizes 1 then 2^63-1", // overflowed HttpGet's size check: IllegalArgumentException
            "interval 2^63-1",           // Instant.plus threw in the session
            "interval 10^16"})           // Duration.toMillis() overflowed in the announcer
    void aHostileReplyDoesNotEndTheAnnounceThread(String hostile) throws Exception {
        byte[] first = switch (hostile) {
            case "chunk sizes 1 then 2^63-1" -> ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nd\r\n7fffffffffffffff\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            case "interval 2^63-1" -> ScriptedHttpTracker.reply("d8:intervali9223372036854775807e5:peers0:e");
            default -> ScriptedHttpTracker.reply("d8:intervali10000000000000000e5:peers0:e");
        };
        try (ScriptedHttpTracker tracker = ScriptedHttpTracker.start((n, target) -> n == 0 ? first : SANE)) {
            Announcer announcer = announcer(tracker, () -> PROGRESS, () -> false);
            announcer.start();
            // A refused reply is retried after the 200 ms back-off; an absurd interval is an answer.
            int answered = hostile.startsWith("chunk") ? 2 : 1;
            await(() -> tracker.count("started") >= answered, () -> "started: " + tracker.requests());
            announcer.completed();
            await(() -> tracker.count("completed") == 1, () -> "completed after the hostile reply: " + tracker.requests());
            announcer.close();
            assertThat(tracker.count("stopped")).as(tracker.requests().toString()).isEqualTo(1);
        }
    }

    /**
     * Issue 13, finding 6: an announce in flight held the session, and {@code stopped} at close gave
     * up waiting for it. Now close abandons it: the tracker hears {@code stopped} at once.
     */
    @Test
    void closeSendsStoppedWhileAnAnnounceIsInFlight() throws Exception {
        TrackerConfig patient = QUICK.withAttemptTimeout(Duration.ofSeconds(30));
        try (ScriptedHttpTracker tracker = ScriptedHttpTracker.start((n, target) -> target.contains("&event=completed") ? null : SANE)) {
            Announcer announcer = new Announcer(List.of(List.of(tracker.uri().toString())), HASH, PeerId.random(), 6881, patient,
                    () -> PROGRESS, peers -> { }, () -> false, () -> false);
            announcer.start();
            await(() -> tracker.count("started") == 1, () -> "started: " + tracker.requests());
            announcer.completed();
            await(() -> tracker.count("completed") == 1, () -> "completed: " + tracker.requests()); // and the tracker holds it
            long start = System.nanoTime();
            announcer.close();
            assertThat(tracker.count("stopped")).as(tracker.requests().toString()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    /** Not only the tracker's fault: an exception from our own callbacks pauses the loop, it does not end it. */
    @Test
    void anExceptionFromTheProgressCallbackPausesTheLoopButDoesNotEndIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<TrackerSession.Progress> flaky = () -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("first call fails");
            return PROGRESS;
        };
        try (ScriptedHttpTracker tracker = ScriptedHttpTracker.start((n, target) -> SANE)) {
            Announcer announcer = announcer(tracker, flaky, () -> false);
            announcer.start();
            await(() -> tracker.count("started") == 1, () -> "started after the pause: " + tracker.requests());
            announcer.close();
        }
    }

    @Test
    void theNapIsBoundedForAnyWait() {
        assertThat(Announcer.napMillis(Duration.ofSeconds(Long.MAX_VALUE), true)).isEqualTo(Announcer.MAX_NAP_MILLIS);
        assertThat(Announcer.napMillis(Duration.ofSeconds(10_000_000_000_000_000L), true)).isEqualTo(Announcer.MAX_NAP_MILLIS);
        assertThat(Announcer.napMillis(Duration.ofSeconds(3), true)).isEqualTo(3000);
        assertThat(Announcer.napMillis(Duration.ofMillis(300), true)).isEqualTo(300);
        assertThat(Announcer.napMillis(Duration.ofSeconds(-5), true)).isEqualTo(50);
    }

    /** A seeder cannot starve: its loops nap until their tracker's time, up to a minute, not 5 s (idle wake-ups). */
    @Test
    void aDownloadThatNeedsNoDataNapsUntilItsTrackersTime() {
        assertThat(Announcer.napMillis(Duration.ofSeconds(Long.MAX_VALUE), false)).isEqualTo(Announcer.COMPLETE_MAX_NAP_MILLIS);
        assertThat(Announcer.napMillis(Duration.ofSeconds(30), false)).isEqualTo(30_000);
        assertThat(Announcer.napMillis(Duration.ofSeconds(30), true)).isEqualTo(Announcer.MAX_NAP_MILLIS);
        assertThat(Announcer.napMillis(Duration.ofSeconds(-5), false)).isEqualTo(50);
    }

    private static Announcer announcer(ScriptedHttpTracker tracker, Supplier<TrackerSession.Progress> progress,
                                       BooleanSupplier starved) {
        return new Announcer(List.of(List.of(tracker.uri().toString())), HASH, PeerId.random(), 6881, QUICK,
                progress, peers -> { }, starved, () -> true);
    }

    private static void await(BooleanSupplier done, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("waited 10 s for " + what.get());
            Thread.sleep(20);
        }
    }
}
