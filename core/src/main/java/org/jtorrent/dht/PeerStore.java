package org.jtorrent.dht;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Peers announced to this node (announce_peer), per info-hash, each kept for {@link #TTL} after
 * its last announce. Bounded three ways: peers per info-hash, info-hashes, and peers in all. A
 * new info-hash when the store is full evicts the info-hash announced least recently; a new peer
 * in a full swarm evicts that swarm's oldest peer. Not thread-safe (the node's lock).
 */
final class PeerStore {
    static final Duration TTL = Duration.ofMinutes(30);

    private final int maxPerInfoHash;
    private final int maxInfoHashes;
    private final int maxPeers;
    private final Clock clock;
    /** Access order: the least recently announced info-hash comes first. */
    private final LinkedHashMap<NodeId, LinkedHashMap<InetSocketAddress, Instant>> swarms = new LinkedHashMap<>(16, 0.75f, true);
    private int peerCount;

    PeerStore(int maxPerInfoHash, int maxInfoHashes, int maxPeers, Clock clock) {
        this.maxPerInfoHash = maxPerInfoHash;
        this.maxInfoHashes = maxInfoHashes;
        this.maxPeers = maxPeers;
        this.clock = clock;
    }

    void announce(NodeId infoHash, InetSocketAddress peer) {
        Instant expires = clock.instant().plus(TTL);
        LinkedHashMap<InetSocketAddress, Instant> swarm = swarms.get(infoHash);
        if (swarm == null) {
            if (swarms.size() >= maxInfoHashes) dropSwarm(swarms.keySet().iterator().next());
            swarm = new LinkedHashMap<>();
            swarms.put(infoHash, swarm);
        }
        if (swarm.remove(peer) != null) peerCount--;
        if (swarm.size() >= maxPerInfoHash) {
            swarm.remove(swarm.keySet().iterator().next());
            peerCount--;
        }
        while (peerCount >= maxPeers) {
            // the least recently announced swarm pays, but never the one being announced to if another exists
            NodeId oldest = swarms.keySet().iterator().next();
            LinkedHashMap<InetSocketAddress, Instant> victim = swarms.get(oldest);
            if (victim == swarm && swarm.isEmpty()) break;
            victim.remove(victim.keySet().iterator().next());
            peerCount--;
            if (victim.isEmpty() && victim != swarm) swarms.remove(oldest);
        }
        swarm.put(peer, expires);
        peerCount++;
    }

    private void dropSwarm(NodeId infoHash) {
        LinkedHashMap<InetSocketAddress, Instant> s = swarms.remove(infoHash);
        if (s != null) peerCount -= s.size();
    }

    /** Up to {@code max} live peers of one family for {@code infoHash}, a random sample when there are more. */
    List<InetSocketAddress> peers(NodeId infoHash, boolean v6, int max, RandomGenerator random) {
        Map<InetSocketAddress, Instant> swarm = swarms.get(infoHash);
        if (swarm == null) return List.of();
        Instant now = clock.instant();
        List<InetSocketAddress> live = new ArrayList<>();
        for (Map.Entry<InetSocketAddress, Instant> e : swarm.entrySet()) {
            if (e.getValue().isAfter(now) && (e.getKey().getAddress() instanceof Inet4Address) != v6) live.add(e.getKey());
        }
        if (live.size() > max) {
            Collections.shuffle(live, random);
            return List.copyOf(live.subList(0, max));
        }
        return live;
    }

    boolean has(NodeId infoHash) {
        return swarms.containsKey(infoHash);
    }

    /** Drops expired peers and emptied swarms. */
    void expire() {
        Instant now = clock.instant();
        for (Iterator<Map.Entry<NodeId, LinkedHashMap<InetSocketAddress, Instant>>> it = swarms.entrySet().iterator(); it.hasNext(); ) {
            LinkedHashMap<InetSocketAddress, Instant> swarm = it.next().getValue();
            int before = swarm.size();
            swarm.values().removeIf(expires -> !expires.isAfter(now));
            peerCount -= before - swarm.size();
            if (swarm.isEmpty()) it.remove();
        }
    }

    int infoHashCount() {
        return swarms.size();
    }

    int peerCount() {
        return peerCount;
    }

    /** Number of peers held for one info-hash, expired ones included until the next {@link #expire()}. */
    int peerCount(NodeId infoHash) {
        Map<InetSocketAddress, Instant> swarm = swarms.get(infoHash);
        return swarm == null ? 0 : swarm.size();
    }
}
