package org.jtorrent.choke;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(5 * SECOND);

    @Test
    void burstGoesAtOnceThenTheRateHolds() {
        TokenBucket bucket = new TokenBucket(1000, 500, now::get);
        assertThat(bucket.reserve(500)).isZero();
        assertThat(bucket.reserve(100)).isEqualTo(SECOND / 10); // 100 bytes of debt at 1000 B/s
        now.addAndGet(SECOND / 10);
        assertThat(bucket.reserve(0)).isZero();
    }

    @Test
    void aBlockLargerThanTheBurstIsNeverStarved() {
        TokenBucket bucket = new TokenBucket(1000, 100, now::get);
        assertThat(bucket.reserve(16_397)).isEqualTo(16_297_000_000L);
    }

    @Test
    void longRunRateIsExactWhateverTheChunking() {
        TokenBucket bucket = new TokenBucket(8_000_000, 100_000, now::get);
        long sent = 0;
        long start = now.get();
        // Send 16 KiB blocks as fast as the bucket allows for one simulated minute.
        while (now.get() - start < 60 * SECOND) {
            long wait = bucket.reserve(16_397);
            now.addAndGet(wait);
            sent += 16_397;
        }
        double rate = sent / ((now.get() - start) / 1e9);
        assertThat(rate).isBetween(8_000_000 * 0.99, 8_000_000 * 1.01);
    }

    @Test
    void idleTimeBanksNoMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(1000, 300, now::get);
        now.addAndGet(3600 * SECOND);
        assertThat(bucket.reserve(300)).isZero();
        assertThat(bucket.reserve(1)).isPositive();
    }

    @Test
    void unlimitedNeverWaitsAndTheRateCanChange() {
        TokenBucket bucket = new TokenBucket(TokenBucket.UNLIMITED, 1, now::get);
        assertThat(bucket.reserve(Long.MAX_VALUE / 4)).isZero();
        bucket.setRate(100, 100);
        assertThat(bucket.reserve(200)).isEqualTo(SECOND);
    }

    @Test
    void aLimiterWaitsForItsSlowestBucket() {
        TokenBucket torrent = new TokenBucket(1000, 100, now::get);
        TokenBucket global = new TokenBucket(500, 100, now::get);
        RateLimiter limiter = RateLimiter.of(torrent, global);
        assertThat(limiter.reserve(600)).isEqualTo(SECOND); // global: 500 bytes of debt at 500 B/s
    }
}
