package org.jtorrent.choke;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FairSharesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int BLOCK = 16 * 1024;
    private final AtomicLong now = new AtomicLong(SECOND);

    @Test
    void waterFillingMeetsSmallDemandsAndSplitsTheRestEqually() {
        long max = Long.MAX_VALUE;
        assertThat(FairShares.allocate(1000, new long[] {max, max})).containsExactly(500, 500);
        assertThat(FairShares.allocate(1000, new long[] {max, 100})).containsExactly(900, 100);
        assertThat(FairShares.allocate(1000, new long[] {100, max, 300, max})).containsExactly(100, 300, 300, 300);
        // Nobody wants it all: what is left is spread over everyone.
        assertThat(FairShares.allocate(1000, new long[] {100, 200})).containsExactly(450, 550);
        assertThat(FairShares.allocate(1000, new long[0])).isEmpty();
    }

    /**
     * Torrent A with four connections and torrent B with one, each connection sending 16 KiB blocks
     * as fast as its limiter lets it, under a session limit of 1 MB/s: charged against the session's
     * bucket alone A took four fifths; with shares both get half, and together the whole rate.
     */
    @Test
    void aTorrentWithManyConnectionsGetsNoMoreThanOneWithFew() {
        long rate = 1_000_000;
        TokenBucket session = new TokenBucket(rate, rate / 10, now::get);
        FairShares shares = new FairShares(RateLimiter.of(session), now::get);
        RateLimiter a = shares.join(), b = shares.join();
        long[] sent = simulate(List.of(a, a, a, a, b), shares, 20);
        long aBytes = sent[0] + sent[1] + sent[2] + sent[3], bBytes = sent[4];
        assertThat((double) aBytes / bBytes).as("A's bytes over B's").isBetween(0.8, 1.25);
        assertThat((aBytes + bBytes) / 20.0).as("the session's rate is used").isBetween(0.9 * rate, 1.05 * rate);

        long[] firstComeFirstServed = simulate(List.of(RateLimiter.of(new TokenBucket(rate, rate / 10, now::get))).stream()
                .flatMap(l -> java.util.stream.Stream.of(l, l, l, l, l)).toList(), null, 20);
        assertThat((double) (firstComeFirstServed[0] * 4) / firstComeFirstServed[4]).as("without shares, per connection")
                .isBetween(3.0, 5.0);
    }

    @Test
    void aLightTorrentKeepsWhatItUsesAndTheBusyOneTakesTheRest() {
        long rate = 1_000_000;
        TokenBucket session = new TokenBucket(rate, rate / 10, now::get);
        FairShares shares = new FairShares(RateLimiter.of(session), now::get);
        RateLimiter busy = shares.join(), light = shares.join();
        long lightSent = 0, busyNext = now.get(), lightNext = now.get(), busySent = 0;
        long end = now.get() + 20 * SECOND, nextRebalance = now.get() + SECOND;
        // The light torrent sends one block every 100 ms (164 kB/s) whatever it is allowed.
        while (now.get() < end) {
            long t = Math.min(Math.min(busyNext, lightNext), nextRebalance);
            now.set(t);
            if (t == nextRebalance) {
                shares.rebalance();
                nextRebalance += SECOND;
            } else if (t == busyNext) {
                busyNext = t + busy.reserve(BLOCK);
                busySent += BLOCK;
            } else {
                lightNext = Math.max(t + light.reserve(BLOCK), t + SECOND / 10);
                lightSent += BLOCK;
            }
        }
        assertThat(lightSent / 20.0).as("the light torrent's rate").isBetween(0.9 * 163_840, 1.05 * 163_840);
        assertThat((busySent + lightSent) / 20.0).as("the busy one fills the rest").isGreaterThan(0.9 * rate);
        shares.leave(busy);
        assertThat(shares.size()).isEqualTo(1);
    }

    @Test
    void withoutASessionLimitTorrentsAreNotLimited() {
        FairShares shares = new FairShares(RateLimiter.of(), now::get);
        RateLimiter a = shares.join();
        assertThat(a.buckets()).isEmpty();
        shares.rebalance();
        assertThat(a.reserve(1 << 30)).isZero();
    }

    /** Each limiter is one sender of 16 KiB blocks, sending again as soon as its wait is over; bytes sent by each. */
    private long[] simulate(List<RateLimiter> senders, FairShares shares, int seconds) {
        long[] next = new long[senders.size()];
        long[] sent = new long[senders.size()];
        java.util.Arrays.fill(next, now.get());
        long end = now.get() + seconds * SECOND, nextRebalance = now.get() + SECOND;
        while (true) {
            int first = 0;
            for (int i = 1; i < next.length; i++) if (next[i] < next[first]) first = i;
            long t = Math.min(next[first], nextRebalance);
            if (t >= end) return sent;
            now.set(t);
            if (t == nextRebalance) {
                if (shares != null) shares.rebalance();
                nextRebalance += SECOND;
                continue;
            }
            next[first] = t + Math.max(1, senders.get(first).reserve(BLOCK));
            sent[first] += BLOCK;
        }
    }
}
