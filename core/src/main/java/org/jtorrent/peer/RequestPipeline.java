package org.jtorrent.peer;

/**
 * How many block requests to keep outstanding to one peer. A fixed small queue (the classic 5)
 * leaves the link idle for most of each round trip: at 16 KiB blocks and a 1 ms loopback round
 * trip, 5 requests cap a transfer near 80 MB/s, and a 50 ms WAN path near 1.6 MB/s. Instead:
 *
 * <ul>
 *   <li>slow start: begin at {@link #INITIAL} and add one for every block received (doubling per
 *       round trip, as TCP does), until the first rate sample exists;</li>
 *   <li>then hold {@code rate x queueSeconds / 16 KiB} blocks, like libtorrent's
 *       {@code request_queue_time}: enough to cover the round trip and the peer's disk latency;</li>
 *   <li>never more than the peer's {@code reqq} (it would drop the excess) nor our own cap.</li>
 * </ul>
 * Not thread-safe: owned by the connection's reader thread.
 */
final class RequestPipeline {
    static final int INITIAL = 4;
    static final int MIN = 2;
    private static final int BLOCK = 16 * 1024;
    private static final long WINDOW_NANOS = 500_000_000L;

    private final double queueSeconds;
    private final int ourCap;
    private int peerReqq;
    private int slowStart = INITIAL;
    private double rate = -1; // bytes per second, smoothed; -1 until the first window closes
    private long windowStart = -1;
    private long windowBytes;

    RequestPipeline(double queueSeconds, int ourCap, int peerReqq) {
        this.queueSeconds = queueSeconds;
        this.ourCap = ourCap;
        this.peerReqq = peerReqq;
    }

    void peerReqq(int reqq) {
        this.peerReqq = reqq;
    }

    void received(int bytes, long nowNanos) {
        if (windowStart < 0) windowStart = nowNanos;
        windowBytes += bytes;
        long elapsed = nowNanos - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            double sample = windowBytes * 1e9 / elapsed;
            rate = rate < 0 ? sample : 0.5 * rate + 0.5 * sample;
            windowStart = nowNanos;
            windowBytes = 0;
        }
        if (rate < 0) slowStart++;
    }

    /** The number of requests that should be outstanding now. */
    int depth() {
        int wanted = rate < 0 ? slowStart : (int) Math.ceil(rate * queueSeconds / BLOCK);
        return Math.min(Math.max(MIN, wanted), Math.min(peerReqq, ourCap)); // the peer's reqq always wins
    }

    /** Measured download rate from this peer in bytes per second, or -1 before the first sample. */
    double rate() {
        return rate;
    }
}
