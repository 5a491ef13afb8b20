package org.jtorrent.dht;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source IP for incoming queries: {@code perSecond} a second with a burst of
 * {@code burst}. At most {@code maxSources} addresses are tracked (least recently seen dropped
 * first), so a flood from spoofed addresses costs a fixed amount of memory. Not thread-safe.
 */
final class SourceLimiter {
    private final double perSecond;
    private final double burst;
    private final int maxSources;
    private final Map<InetAddress, double[]> buckets; // {tokens, last refill nanos}

    SourceLimiter(double perSecond, double burst, int maxSources) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxSources = maxSources;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
                return size() > SourceLimiter.this.maxSources;
            }
        };
    }

    boolean allow(InetAddress source, long nowNanos) {
        double[] b = buckets.computeIfAbsent(source, k -> new double[] {burst, nowNanos});
        b[0] = Math.min(burst, b[0] + (nowNanos - b[1]) / 1e9 * perSecond);
        b[1] = nowNanos;
        if (b[0] < 1) return false;
        b[0] -= 1;
        return true;
    }

    int trackedSources() {
        return buckets.size();
    }
}
