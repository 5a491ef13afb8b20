package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestPipelineTest {
    private static final long MS = 1_000_000L;

    @Test
    void slowStartGrowsByOnePerBlockUntilTheFirstRateSample() {
        RequestPipeline p = new RequestPipeline(2.0, 1000, 250);
        assertThat(p.depth()).isEqualTo(RequestPipeline.INITIAL);
        for (int i = 0; i < 10; i++) p.received(16384, i * MS);
        assertThat(p.depth()).isEqualTo(RequestPipeline.INITIAL + 10);
    }

    @Test
    void depthFollowsTheMeasuredRateAndIsCappedAtTheirReqq() {
        RequestPipeline p = new RequestPipeline(2.0, 1000, 250);
        // 100 MB/s for one second: 2 s of that is ~12,000 blocks, far above reqq 250
        long t = 0;
        for (int i = 0; i < 6104; i++) p.received(16384, t += 163_840L);
        assertThat(p.rate()).isBetween(9e7, 1.1e8);
        assertThat(p.depth()).isEqualTo(250);
        p.peerReqq(2000);
        assertThat(p.depth()).isEqualTo(1000); // our own cap
    }

    @Test
    void slowPeerGetsAShallowPipeline() {
        RequestPipeline p = new RequestPipeline(2.0, 1000, 250);
        // 16 KiB every 100 ms: 160 KiB/s, 2 s = 20 blocks
        for (int i = 0; i <= 30; i++) p.received(16384, i * 100 * MS);
        assertThat(p.depth()).isBetween(18, 22);
    }

    @Test
    void neverBelowTheMinimumUnlessThePeerAsksForFewer() {
        RequestPipeline p = new RequestPipeline(2.0, 1000, 250);
        for (int i = 0; i <= 30; i++) p.received(100, i * 100 * MS); // 1 KB/s
        assertThat(p.depth()).isEqualTo(RequestPipeline.MIN);
        p.peerReqq(1);
        assertThat(p.depth()).isEqualTo(1);
    }
}
