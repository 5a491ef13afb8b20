package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import org.jtorrent.peer.ThreadPace.Verdict;
import org.junit.jupiter.api.Test;

class ThreadPaceTest {
    private static final long MS = 1_000_000L;

    @Test
    void manyWakeUpsWithinAWindowMakeALoopBusyAtOnce() {
        long start = System.nanoTime();
        ThreadPace pace = new ThreadPace();
        for (int i = 1; i < ThreadPace.BUSY; i++) assertThat(pace.event(start + i * 1000L)).isEqualTo(Verdict.SAME);
        assertThat(pace.event(start + ThreadPace.BUSY * 1000L)).isEqualTo(Verdict.BUSY);
        assertThat(pace.event(start + ThreadPace.BUSY * 1000L + 1)).as("a new window").isEqualTo(Verdict.SAME);
    }

    @Test
    void aWakeUpAfterALongSilenceMakesItQuiet() {
        long start = System.nanoTime();
        ThreadPace pace = new ThreadPace();
        assertThat(pace.event(start + 10_000 * MS)).isEqualTo(Verdict.QUIET);
    }

    @Test
    void aModerateRateIsNeitherBusyNorQuiet() {
        long start = System.nanoTime();
        ThreadPace pace = new ThreadPace();
        // 40 a second: above the quiet bound (32), below the busy one (64).
        Verdict last = null;
        for (int i = 1; i <= 40; i++) {
            Verdict v = pace.event(start + i * 25 * MS);
            assertThat(v).isNotEqualTo(Verdict.BUSY).isNotEqualTo(Verdict.QUIET);
            last = v;
        }
        assertThat(last).isEqualTo(Verdict.SAME);
    }

    @Test
    void thePlatformBudgetIsBounded() {
        int taken = 0;
        while (ThreadPace.acquirePlatform()) taken++;
        try {
            assertThat(taken).isLessThanOrEqualTo(ThreadPace.PLATFORM_THREADS);
            assertThat(ThreadPace.platformLeft()).isZero();
        } finally {
            for (int i = 0; i < taken; i++) ThreadPace.releasePlatform();
        }
    }
}
