package org.jtorrent.engine;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who sent the blocks of each piece, and how far each peer is trusted, to ban peers that send bad
 * data. A piece that fails its hash cannot say which of its contributors lied, so each loses trust
 * ({@link #SHARED_FAILURE}; more, {@link #SOLE_FAILURE}, when it sent the whole piece) and each
 * verified piece earns some back ({@link #PASS}, up to {@link #MAX}). A peer at {@link #BAN_AT} or
 * below is banned: a peer alone on its pieces after two failures, a peer sharing them after three,
 * while an honest peer that verified pieces before can survive a few shared with a liar. The same
 * scheme as libtorrent's trust points, minus its per-block "smart ban". Peers are keyed by address
 * alone, as libtorrent bans them: a liar that reconnects from a new port (every outgoing
 * connection has one) keeps its record, and is not a clean peer that can fail shared pieces anew
 * and drag honest contributors down with it. Thread-safe.
 */
final class PeerTrust {
    static final int PASS = 1;
    static final int MAX = 10;
    static final int SHARED_FAILURE = -2;
    static final int SOLE_FAILURE = -4;
    static final int BAN_AT = -6;

    private final Map<Integer, Set<InetAddress>> contributors = new HashMap<>();
    private final Map<InetAddress, Integer> trust = new HashMap<>();

    synchronized void contributed(int piece, InetAddress peer) {
        contributors.computeIfAbsent(piece, p -> new HashSet<>(2)).add(peer);
    }

    synchronized void verified(int piece) {
        Set<InetAddress> peers = contributors.remove(piece);
        if (peers != null) for (InetAddress p : peers) trust.merge(p, PASS, (a, b) -> Math.min(MAX, a + b));
    }

    /** The piece failed its hash; returns the peers to ban now. */
    synchronized List<InetAddress> failed(int piece) {
        Set<InetAddress> peers = contributors.remove(piece);
        List<InetAddress> ban = new ArrayList<>();
        if (peers == null) return ban;
        int penalty = peers.size() == 1 ? SOLE_FAILURE : SHARED_FAILURE;
        for (InetAddress p : peers) {
            if (trust.merge(p, penalty, Integer::sum) <= BAN_AT) ban.add(p);
        }
        return ban;
    }

    synchronized int trustOf(InetAddress peer) {
        return trust.getOrDefault(peer, 0);
    }
}
