package org.jtorrent.choke;

import java.util.List;

/**
 * The limits one transfer is subject to, e.g. its torrent's and the session's. Every bucket is
 * charged, and the sender waits for the slowest: a per-torrent limit can only lower the global one.
 */
public record RateLimiter(List<TokenBucket> buckets) {

    public RateLimiter {
        buckets = List.copyOf(buckets);
    }

    public static RateLimiter of(TokenBucket... buckets) {
        return new RateLimiter(List.of(buckets));
    }

    /** Subject to this limiter's buckets and the other's: a torrent's own limit under the session's. */
    public RateLimiter and(RateLimiter other) {
        List<TokenBucket> both = new java.util.ArrayList<>(buckets);
        both.addAll(other.buckets);
        return new RateLimiter(both);
    }

    /** Charges every bucket and returns the longest wait in nanoseconds. */
    public long reserve(long bytes) {
        long wait = 0;
        for (TokenBucket b : buckets) wait = Math.max(wait, b.reserve(bytes));
        return wait;
    }

    public void acquire(long bytes) throws InterruptedException {
        long wait = reserve(bytes);
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
}
