package org.jtorrent.choke;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A session-wide rate limit shared fairly among torrents. Charged alone, one bucket is first come,
 * first served among connections: a torrent with forty peers takes forty times the bandwidth of a
 * torrent with one. Here each torrent gets a bucket of its own, its share, charged beside the
 * session's bucket; once a second {@link #rebalance} splits the session's rate among the shares by
 * max-min fairness (water-filling) over what each torrent used: a torrent that used less than three
 * quarters of its share keeps what it used and half as much again to grow into, and the torrents
 * that pressed against their shares split the rest equally. What nobody wants is spread over every
 * share, so a torrent that wakes up has room at once. The session's bucket stays the hard limit.
 *
 * <p>Thread-safe: torrents join and leave from their own threads, the session rebalances from its loop.
 */
public final class FairShares {
    /** The least share a torrent is given (a 16 KiB block a second), so an idle one can start. */
    static final long MIN_SHARE = 16 * 1024;
    /** A torrent that used this much of its share is taken to want more. */
    private static final double PRESSING = 0.75;
    /** Use measured over less than this is noise: a rebalance called sooner does nothing. */
    private static final long MIN_PERIOD_NANOS = 500_000_000L;
    /** Room given above a light torrent's use, to grow into before the next rebalance. */
    private static final double HEADROOM = 1.5;

    private final RateLimiter session;
    private final TokenBucket total; // null: the session has no limit, and shares are not needed
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Share> shares = new ArrayList<>(); // guarded by lock
    private long lastRebalance;

    private static final class Share {
        final TokenBucket bucket;
        long reservedAtLastRebalance;

        Share(TokenBucket bucket) {
            this.bucket = bucket;
        }
    }

    /** Shares of the first bucket of {@code session} (the session's limit); none if it has no bucket. */
    public FairShares(RateLimiter session, LongSupplier nanoClock) {
        this.session = session;
        this.total = session.buckets().isEmpty() ? null : session.buckets().get(0);
        this.nanoClock = nanoClock;
        this.lastRebalance = nanoClock.getAsLong();
    }

    public static FairShares of(RateLimiter session) {
        return new FairShares(session, System::nanoTime);
    }

    /**
     * A new torrent's limiter: its share and the session's limit. Its share starts as an equal
     * split of the session's rate until the next rebalance. Give it back with {@link #leave}.
     */
    public RateLimiter join() {
        if (total == null) return session;
        lock.lock();
        try {
            long rate = total.bytesPerSecond();
            long each = rate == TokenBucket.UNLIMITED ? TokenBucket.UNLIMITED : Math.max(MIN_SHARE, rate / (shares.size() + 1));
            TokenBucket bucket = new TokenBucket(each, burst(each), nanoClock);
            shares.add(new Share(bucket));
            return RateLimiter.of(bucket).and(session);
        } finally {
            lock.unlock();
        }
    }

    /** The torrent stopped: its share goes back to the others at the next rebalance. */
    public void leave(RateLimiter limiter) {
        if (total == null) return;
        lock.lock();
        try {
            shares.removeIf(s -> limiter.buckets().contains(s.bucket));
        } finally {
            lock.unlock();
        }
    }

    /** Splits the session's rate among the torrents by what each used since the last call (at least half a second ago). */
    public void rebalance() {
        if (total == null) return;
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (now - lastRebalance < MIN_PERIOD_NANOS) return;
            double seconds = (now - lastRebalance) / 1e9;
            lastRebalance = now;
            long rate = total.bytesPerSecond();
            long[] demand = new long[shares.size()];
            for (int i = 0; i < demand.length; i++) {
                Share s = shares.get(i);
                long reserved = s.bucket.reservedTotal();
                double used = (reserved - s.reservedAtLastRebalance) / seconds;
                s.reservedAtLastRebalance = reserved;
                long share = s.bucket.bytesPerSecond();
                boolean pressing = share == TokenBucket.UNLIMITED || used >= PRESSING * share;
                demand[i] = pressing ? Long.MAX_VALUE : Math.max(MIN_SHARE, (long) (used * HEADROOM));
            }
            long[] given = rate == TokenBucket.UNLIMITED ? new long[demand.length] : allocate(rate, demand);
            for (int i = 0; i < given.length; i++) {
                long r = rate == TokenBucket.UNLIMITED ? TokenBucket.UNLIMITED : Math.max(MIN_SHARE, given[i]);
                shares.get(i).bucket.setRate(r, burst(r));
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many torrents hold a share now. */
    public int size() {
        lock.lock();
        try {
            return shares.size();
        } finally {
            lock.unlock();
        }
    }

    private static long burst(long rate) {
        return Math.max(rate / 10, 16 * 1024 + 13);
    }

    /**
     * Max-min fair split of {@code rate} over {@code demand}s (Long.MAX_VALUE: as much as it can
     * get): the smallest demands are met in full while they are under an equal split of what is
     * left, the others split the rest equally, and what no demand takes is spread equally over all.
     */
    static long[] allocate(long rate, long[] demand) {
        int n = demand.length;
        long[] given = new long[n];
        if (n == 0) return given;
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingLong(i -> demand[i]));
        long left = rate;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            long equal = left / (n - k);
            given[i] = Math.min(demand[i], equal);
            left -= given[i];
        }
        for (int i = 0; i < n; i++) given[i] += left / n; // nobody wanted it: room to grow
        return given;
    }
}
