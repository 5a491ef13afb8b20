package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.jtorrent.testing.MutableClock;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private final Random random = new Random(3);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final NodeId self = NodeId.random(random);
    private int nextAddress = 1;

    private NodeInfo nodeWithPrefix(int prefix) {
        return at(self.randomWithPrefix(prefix, random));
    }

    private NodeInfo at(NodeId id) {
        int n = nextAddress++;
        try {
            return new NodeInfo(id, new InetSocketAddress(InetAddress.getByAddress(new byte[] {1, (byte) (n >> 16), (byte) (n >> 8), (byte) n}), 6881));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void onlyNodesThatAnsweredEnter() {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        NodeInfo n = nodeWithPrefix(0);
        assertThat(t.heardFrom(n, false)).isEqualTo(RoutingTable.Outcome.REFUSED);
        assertThat(t.size()).isZero();
        assertThat(t.heardFrom(n, true)).isEqualTo(RoutingTable.Outcome.ADDED);
        assertThat(t.heardFrom(n, false)).isEqualTo(RoutingTable.Outcome.UPDATED);
        assertThat(t.heardFrom(new NodeInfo(self, n.address()), true)).isEqualTo(RoutingTable.Outcome.REFUSED);
    }

    @Test
    void bucketsSplitAlongOurIdOnly() {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        for (int i = 0; i < 8; i++) t.heardFrom(nodeWithPrefix(0), true);
        assertThat(t.bucketCount()).isEqualTo(1);
        // a ninth far node splits the only bucket, which holds our id; the far half stays full at 8
        assertThat(t.heardFrom(nodeWithPrefix(0), true)).isEqualTo(RoutingTable.Outcome.REPLACEMENT);
        assertThat(t.bucketCount()).isEqualTo(2);
        assertThat(t.size()).isEqualTo(8);
        // near nodes keep splitting the bucket around our id
        for (int prefix = 1; prefix <= 20; prefix++) for (int i = 0; i < 8; i++) t.heardFrom(nodeWithPrefix(prefix), true);
        assertThat(t.size()).isEqualTo(8 * 21);
        assertThat(t.bucketCount()).isGreaterThanOrEqualTo(21);
        // far buckets never split: more far nodes only wait as replacements
        for (int i = 0; i < 100; i++) t.heardFrom(nodeWithPrefix(0), true);
        assertThat(t.size()).isEqualTo(8 * 21);
        assertThat(t.replacementCount()).isLessThanOrEqualTo(8 * t.bucketCount());
    }

    @Test
    void oneEntryPerAddressUnlessTurnedOff() throws Exception {
        InetSocketAddress one = new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 1);
        RoutingTable strict = new RoutingTable(self, 8, true, clock);
        RoutingTable loose = new RoutingTable(self, 8, false, clock);
        for (int i = 0; i < 10_000; i++) {
            NodeInfo n = new NodeInfo(NodeId.random(random), new InetSocketAddress(one.getAddress(), 1 + i % 60000));
            strict.heardFrom(n, true);
            loose.heardFrom(n, true);
        }
        assertThat(strict.size() + strict.replacementCount()).isEqualTo(1);
        assertThat(loose.size()).isGreaterThan(8);
        assertThat(loose.size()).isLessThanOrEqualTo(160 * 8);
    }

    @Test
    void aKnownIdAtAnotherAddressIsRefused() throws Exception {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        NodeInfo n = nodeWithPrefix(2);
        t.heardFrom(n, true);
        NodeInfo spoof = new NodeInfo(n.id(), new InetSocketAddress(InetAddress.getByName("9.9.9.9"), 1));
        assertThat(t.heardFrom(spoof, true)).isEqualTo(RoutingTable.Outcome.REFUSED);
        assertThat(t.nodes()).containsExactly(n);
        // nor does a known address get a second id, even where many nodes may share an IP
        RoutingTable loose = new RoutingTable(self, 8, false, clock);
        loose.heardFrom(n, true);
        NodeInfo sameAddress = new NodeInfo(self.randomWithPrefix(3, random), n.address());
        assertThat(loose.heardFrom(sameAddress, true)).isEqualTo(RoutingTable.Outcome.REFUSED);
        assertThat(loose.wouldAdd(sameAddress)).isFalse();
        NodeInfo otherPort = new NodeInfo(sameAddress.id(), new InetSocketAddress(n.address().getAddress(), n.address().getPort() + 1));
        assertThat(loose.heardFrom(otherPort, true)).isEqualTo(RoutingTable.Outcome.ADDED);
    }

    @Test
    void badNodesGiveWayToReplacements() {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        NodeInfo near = nodeWithPrefix(5); // keeps our half split off, so bucket 0 is a far bucket
        t.heardFrom(near, true);
        List<NodeInfo> far = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            NodeInfo n = nodeWithPrefix(0);
            far.add(n);
            t.heardFrom(n, true);
        }
        NodeInfo waiting = nodeWithPrefix(0);
        assertThat(t.heardFrom(waiting, true)).isEqualTo(RoutingTable.Outcome.REPLACEMENT);
        assertThat(t.contains(waiting.id())).isFalse();
        NodeInfo victim = far.get(3);
        t.failed(victim);
        assertThat(t.contains(victim.id())).as("one failure: questionable, kept").isTrue();
        t.failed(victim);
        assertThat(t.contains(victim.id())).as("two failures: bad, replaced").isFalse();
        assertThat(t.contains(waiting.id())).isTrue();
        // with no replacement left, a bad node stays until a newcomer takes its place
        NodeInfo other = far.get(4);
        t.failed(other);
        t.failed(other);
        assertThat(t.contains(other.id())).isTrue();
        assertThat(t.closest(other.id(), 1)).doesNotContain(other);
        NodeInfo newcomer = nodeWithPrefix(0);
        assertThat(t.heardFrom(newcomer, true)).isEqualTo(RoutingTable.Outcome.ADDED);
        assertThat(t.contains(other.id())).isFalse();
    }

    @Test
    void nodesTurnQuestionableAfterFifteenMinutesOfSilence() {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        NodeInfo n = nodeWithPrefix(1);
        t.heardFrom(n, true);
        assertThat(t.questionable()).isEmpty();
        clock.advance(Duration.ofMinutes(15));
        assertThat(t.questionable()).containsExactly(n);
        t.heardFrom(n, true);
        assertThat(t.questionable()).isEmpty();
    }

    @Test
    void staleBucketsAreRefreshedOncePerPeriodWithATargetInsideThem() {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        for (int i = 0; i < 9; i++) t.heardFrom(nodeWithPrefix(i % 3), true);
        int buckets = t.bucketCount();
        assertThat(t.refreshTargets(random)).isEmpty();
        clock.advance(Duration.ofMinutes(14));
        assertThat(t.refreshTargets(random)).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        List<NodeId> targets = t.refreshTargets(random);
        assertThat(targets).hasSize(buckets);
        for (int i = 0; i < targets.size() - 1; i++) assertThat(self.commonPrefixBits(targets.get(i))).isEqualTo(i);
        assertThat(t.refreshTargets(random)).as("refreshed: not again until 15 more minutes").isEmpty();
        clock.advance(Duration.ofMinutes(10));
        t.heardFrom(nodeWithPrefix(0), true); // a change in bucket 0 resets its timer
        clock.advance(Duration.ofMinutes(5));
        assertThat(t.refreshTargets(random)).hasSize(buckets - 1);
    }

    @Test
    void closestIsSortedByDistance() {
        RoutingTable t = new RoutingTable(self, 8, false, clock);
        for (int i = 0; i < 200; i++) t.heardFrom(at(NodeId.random(random)), true);
        NodeId target = NodeId.random(random);
        List<NodeInfo> closest = t.closest(target, 8);
        assertThat(closest).hasSize(8);
        for (int i = 1; i < closest.size(); i++) {
            assertThat(target.compareDistance(closest.get(i - 1).id(), closest.get(i).id())).isNegative();
        }
        for (NodeInfo n : t.nodes()) {
            if (!closest.contains(n)) assertThat(target.compareDistance(closest.getLast().id(), n.id())).isNegative();
        }
    }

    @Test
    void verifiedNewcomersDisplaceUnverifiedQuestionableNodes() throws Exception {
        RoutingTable t = new RoutingTable(self, 8, true, clock);
        t.heardFrom(nodeWithPrefix(5), true);
        for (int i = 0; i < 8; i++) t.heardFrom(nodeWithPrefix(0), true);
        InetAddress ip = InetAddress.getByName("124.31.75.21");
        NodeId verifiedId;
        do {
            verifiedId = NodeId.forAddress(ip);
        } while (self.commonPrefixBits(verifiedId) != 0);
        NodeInfo verified = new NodeInfo(verifiedId, new InetSocketAddress(ip, 1));
        assertThat(t.heardFrom(verified, true)).as("all good: waits").isEqualTo(RoutingTable.Outcome.REPLACEMENT);
        clock.advance(Duration.ofMinutes(16));
        RoutingTable fresh = new RoutingTable(self, 8, true, clock);
        fresh.heardFrom(nodeWithPrefix(5), true);
        for (int i = 0; i < 8; i++) fresh.heardFrom(nodeWithPrefix(0), true);
        clock.advance(Duration.ofMinutes(16));
        assertThat(fresh.heardFrom(new NodeInfo(verifiedId, new InetSocketAddress(ip, 2)), true)).isEqualTo(RoutingTable.Outcome.ADDED);
    }
}
