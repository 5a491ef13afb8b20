package org.jtorrent.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What an iterative lookup found and what it cost.
 *
 * @param peers       peers from get_peers {@code values} (empty for find_node)
 * @param closest     the closest nodes that answered, nearest first (at most k)
 * @param queries     queries sent
 * @param replies     replies received
 * @param hops        the longest chain of referrals that led to a node we queried (a seed is hop 1)
 * @param announcedTo nodes that acknowledged our announce_peer (0 unless announcing)
 * @param elapsed     wall time from start to finish
 * @param firstPeers  wall time from start to the first reply with peers, null if none came
 */
public record LookupResult(NodeId target, List<InetSocketAddress> peers, List<NodeInfo> closest, int queries, int replies,
                           int hops, int announcedTo, Duration elapsed, Duration firstPeers) {
    public LookupResult {
        peers = List.copyOf(peers);
        closest = List.copyOf(closest);
    }

    LookupResult withAnnouncedTo(int n) {
        return new LookupResult(target, peers, closest, queries, replies, hops, n, elapsed, firstPeers);
    }
}
