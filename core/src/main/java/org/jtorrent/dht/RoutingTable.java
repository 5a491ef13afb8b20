package org.jtorrent.dht;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The BEP 5 routing table of one node (one address family). Buckets of {@code k} nodes cover
 * ranges of the id space; bucket {@code i} holds nodes sharing exactly {@code i} leading bits with
 * our id, and the last bucket, which holds our own id, splits when it overflows. So the table
 * knows many nodes near us and a few far away, and holds at most 160 x k nodes.
 *
 * <p>A node is good if it answered one of our queries within {@link #GOOD_FOR}, bad after
 * {@link #FAILURES_BAD} unanswered queries in a row, questionable otherwise. A full bucket takes a
 * newcomer only in place of a bad node (or, for a BEP 42 verified newcomer, in place of an
 * unverified questionable node); else the newcomer waits in the bucket's replacement cache (k
 * more), which refills the bucket when a node turns bad. Only nodes that answered us enter the
 * live buckets, so a spoofed query cannot insert an address.
 *
 * <p>With {@code onePerAddress} (the default; tests on loopback turn it off) one IP address has at
 * most one entry, so a single host cannot fill the table with made-up ids.
 *
 * <p>Not thread-safe: the owning {@link DhtNode} calls it under its lock.
 */
public final class RoutingTable {
    public static final Duration GOOD_FOR = Duration.ofMinutes(15);
    public static final Duration REFRESH_AFTER = Duration.ofMinutes(15);
    public static final int FAILURES_BAD = 2;

    /** What the table knows about one node. */
    public static final class Entry {
        private NodeInfo node;
        private Instant lastReply;
        private final Instant firstSeen;
        private int failures;
        private final boolean verified;

        Entry(NodeInfo node, Instant now, boolean replied) {
            this.node = node;
            this.firstSeen = now;
            this.lastReply = replied ? now : null;
            this.verified = node.id().matchesAddress(node.address().getAddress());
        }

        public NodeInfo node() {
            return node;
        }

        public boolean verified() {
            return verified;
        }

        public int failures() {
            return failures;
        }

        boolean good(Instant now) {
            return failures == 0 && lastReply != null && lastReply.plus(GOOD_FOR).isAfter(now);
        }

        boolean bad() {
            return failures >= FAILURES_BAD;
        }
    }

    private static final class Bucket {
        final List<Entry> live = new ArrayList<>();
        final List<Entry> replacements = new ArrayList<>();
        Instant lastChanged;

        Bucket(Instant now) {
            lastChanged = now;
        }
    }

    private final NodeId self;
    private final int k;
    private final boolean onePerAddress;
    private final Clock clock;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<InetAddress, Entry> byAddress = new HashMap<>();
    /** Every entry by its exact address: one id per IP and port, whatever onePerAddress says. */
    private final Map<InetSocketAddress, Entry> byEndpoint = new HashMap<>();

    public RoutingTable(NodeId self, int k, boolean onePerAddress, Clock clock) {
        this.self = self;
        this.k = k;
        this.onePerAddress = onePerAddress;
        this.clock = clock;
        buckets.add(new Bucket(clock.instant()));
    }

    public NodeId self() {
        return self;
    }

    private int bucketIndex(NodeId id) {
        return Math.min(self.commonPrefixBits(id), buckets.size() - 1);
    }

    /** What {@link #heardFrom} did with a node, so the caller knows whether to ping someone. */
    public enum Outcome { UPDATED, ADDED, REPLACEMENT, REFUSED }

    /**
     * A node answered one of our queries ({@code replied}) or sent us a query: record it. A node we
     * already hold under another address, or an address we already hold under another id, is
     * refused (it may be a spoof of one we know).
     */
    public Outcome heardFrom(NodeInfo node, boolean replied) {
        if (node.id().equals(self)) return Outcome.REFUSED;
        Instant now = clock.instant();
        Bucket bucket = buckets.get(bucketIndex(node.id()));
        Entry existing = find(bucket.live, node.id());
        if (existing == null) existing = find(bucket.replacements, node.id());
        if (existing != null) {
            if (!existing.node.address().equals(node.address())) return Outcome.REFUSED;
            if (replied) {
                existing.lastReply = now;
                existing.failures = 0;
                bucket.lastChanged = now;
                if (bucket.replacements.contains(existing)) return promoteIfRoom(bucket, existing, now);
            }
            return Outcome.UPDATED;
        }
        if (!replied) return Outcome.REFUSED; // only nodes that answered us go in; the caller may ping it
        if (byEndpoint.containsKey(node.address())) return Outcome.REFUSED; // a new id for a known address: keep the one we know
        if (onePerAddress && byAddress.containsKey(node.address().getAddress())) return Outcome.REFUSED;
        Entry entry = new Entry(node, now, true);
        return insert(entry, now);
    }

    /**
     * Whether {@link #heardFrom} would put this node in a live bucket if it answered: worth a ping
     * when it queries us. Nodes we hold or that could only wait as replacements are not.
     */
    public boolean wouldAdd(NodeInfo node) {
        if (node.id().equals(self)) return false;
        int index = bucketIndex(node.id());
        Bucket bucket = buckets.get(index);
        if (find(bucket.live, node.id()) != null || find(bucket.replacements, node.id()) != null) return false;
        if (byEndpoint.containsKey(node.address())) return false;
        if (onePerAddress && byAddress.containsKey(node.address().getAddress())) return false;
        if (bucket.live.size() < k || (index == buckets.size() - 1 && buckets.size() < NodeId.LENGTH * 8)) return true;
        for (Entry e : bucket.live) if (e.bad()) return true;
        return false;
    }

    private Outcome promoteIfRoom(Bucket bucket, Entry entry, Instant now) {
        if (bucket.live.size() < k) {
            bucket.replacements.remove(entry);
            bucket.live.add(entry);
            return Outcome.ADDED;
        }
        return Outcome.UPDATED;
    }

    private Outcome insert(Entry entry, Instant now) {
        while (true) {
            int index = bucketIndex(entry.node.id());
            Bucket bucket = buckets.get(index);
            if (bucket.live.size() < k) {
                add(bucket.live, entry);
                bucket.lastChanged = now;
                return Outcome.ADDED;
            }
            if (index == buckets.size() - 1 && buckets.size() < NodeId.LENGTH * 8) {
                split();
                continue;
            }
            Entry victim = null;
            for (Entry e : bucket.live) if (e.bad()) victim = e;
            if (victim == null && entry.verified) {
                for (Entry e : bucket.live) if (!e.verified && !e.good(now)) victim = e;
            }
            if (victim != null) {
                remove(bucket.live, victim);
                add(bucket.live, entry);
                bucket.lastChanged = now;
                return Outcome.ADDED;
            }
            if (bucket.replacements.size() >= k) remove(bucket.replacements, bucket.replacements.getFirst());
            add(bucket.replacements, entry);
            return Outcome.REPLACEMENT;
        }
    }

    private void split() {
        Bucket last = buckets.getLast();
        Bucket next = new Bucket(last.lastChanged);
        int depth = buckets.size() - 1;
        buckets.add(next);
        for (List<Entry> list : List.of(last.live, last.replacements)) {
            List<Entry> target = list == last.live ? next.live : next.replacements;
            for (Iterator<Entry> it = list.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (self.commonPrefixBits(e.node.id()) > depth) {
                    it.remove();
                    target.add(e);
                }
            }
        }
    }

    private void add(List<Entry> list, Entry e) {
        list.add(e);
        byEndpoint.put(e.node.address(), e);
        byAddress.putIfAbsent(e.node.address().getAddress(), e);
    }

    private void remove(List<Entry> list, Entry e) {
        list.remove(e);
        byEndpoint.remove(e.node.address(), e);
        byAddress.remove(e.node.address().getAddress(), e);
    }

    private static Entry find(List<Entry> list, NodeId id) {
        for (Entry e : list) if (e.node.id().equals(id)) return e;
        return null;
    }

    /** A query to {@code node} went unanswered; a node that turns bad gives way to a replacement. */
    public void failed(NodeInfo node) {
        Bucket bucket = buckets.get(bucketIndex(node.id()));
        Entry e = find(bucket.live, node.id());
        if (e == null) {
            Entry r = find(bucket.replacements, node.id());
            if (r != null && r.node.address().equals(node.address())) remove(bucket.replacements, r);
            return;
        }
        if (!e.node.address().equals(node.address())) return;
        e.failures++;
        if (e.bad() && !bucket.replacements.isEmpty()) {
            remove(bucket.live, e);
            Entry newest = bucket.replacements.getLast();
            bucket.replacements.remove(newest);
            bucket.live.add(newest);
        }
    }

    /** The {@code count} live nodes closest to {@code target}, verified and good ones first among equals. */
    public List<NodeInfo> closest(NodeId target, int count) {
        List<Entry> all = new ArrayList<>();
        for (Bucket b : buckets) for (Entry e : b.live) if (!e.bad()) all.add(e);
        all.sort(Comparator.comparing((Entry e) -> e.node.id(), target::compareDistance));
        return all.stream().limit(count).map(Entry::node).toList();
    }

    /** Live nodes that are neither good nor bad: the maintenance pings them. */
    public List<NodeInfo> questionable() {
        Instant now = clock.instant();
        List<NodeInfo> out = new ArrayList<>();
        for (Bucket b : buckets) for (Entry e : b.live) if (!e.good(now) && !e.bad()) out.add(e.node);
        return out;
    }

    /** A random target inside every bucket that has not changed for {@link #REFRESH_AFTER}; finding it refreshes the bucket. */
    public List<NodeId> refreshTargets(RandomGenerator random) {
        Instant now = clock.instant();
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            if (!b.lastChanged.plus(REFRESH_AFTER).isAfter(now)) {
                out.add(i == buckets.size() - 1 ? self.randomWithPrefix(Math.min(i, 159), random) : self.randomWithPrefix(i, random));
                b.lastChanged = now; // one refresh per period, answered or not
            }
        }
        return out;
    }

    public int size() {
        int n = 0;
        for (Bucket b : buckets) n += b.live.size();
        return n;
    }

    public int replacementCount() {
        int n = 0;
        for (Bucket b : buckets) n += b.replacements.size();
        return n;
    }

    public int bucketCount() {
        return buckets.size();
    }

    public boolean contains(NodeId id) {
        return find(buckets.get(bucketIndex(id)).live, id) != null;
    }

    /** Every live node, for persisting the table. */
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (Bucket b : buckets) for (Entry e : b.live) out.add(e.node);
        return out;
    }
}
