package org.jtorrent.choke;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Decides which peers we upload to (BEP 3's tit-for-tat), as a pure function of what the engine
 * measured, so it can be tested without a network.
 *
 * <p>The slots are shared by every peer of every torrent given (a session runs one choker over all
 * its torrents, as libtorrent does), each peer ranked by what its torrent needs:
 * <ul>
 *   <li><b>Leeching</b> (the peer's torrent is incomplete): ranked by how fast it uploads to us,
 *       snubbed ones skipped (anti-snubbing: a peer that sent nothing for a minute earns no regular slot).</li>
 *   <li><b>Seeding</b> (the peer's torrent is complete): ranked by how fast we upload to it, but a peer
 *       unchoked for longer than {@code seedRotation} yields to one that is waiting, so every
 *       interested peer gets served.</li>
 *   <li><b>Optimistic unchoke</b>: one more interested peer, rotated every {@code optimisticInterval},
 *       chosen at random with new peers weighted three to one; it is how a newcomer with nothing to
 *       trade gets its first pieces and how we find faster partners.</li>
 * </ul>
 * {@link #fillFreeSlots} fills a slot freed between rounds at once, without choking anyone.
 *
 * @param <P> the engine's peer handle (compared with {@code equals})
 */
public final class Choker<P> {

    /**
     * What the engine knows of one connected peer at this moment.
     *
     * @param seeding        whether the peer's torrent is complete (we only upload to it)
     * @param downloadRate   bytes/s of payload this peer sent us lately
     * @param uploadRate     bytes/s of payload we sent it lately
     * @param connectedAt    monotonic nanos when it connected
     * @param unchokedSince  monotonic nanos since we unchoked it, or -1 while it is choked
     */
    public record Candidate<P>(P peer, boolean interested, boolean snubbed, long downloadRate, long uploadRate,
                               long connectedAt, long unchokedSince, boolean seeding) {
        public Candidate {
            Objects.requireNonNull(peer);
        }

        boolean isUnchoked() {
            return unchokedSince >= 0;
        }

        /** The rate that earns a regular slot: reciprocation when leeching, throughput when seeding. */
        long rankingRate() {
            return seeding ? uploadRate : downloadRate;
        }
    }

    private final ChokerConfig config;
    private final Random random;
    private P optimistic;
    private long optimisticSince = Long.MIN_VALUE;

    public Choker(ChokerConfig config, Random random) {
        this.config = config;
        this.random = random;
    }

    /** The peers to have unchoked after this round; every other peer is to be choked. */
    public Set<P> rechoke(List<Candidate<P>> peers, long now) {
        List<Candidate<P>> interested = peers.stream().filter(Candidate::interested).toList();
        List<Candidate<P>> ranked = new ArrayList<>(interested.stream()
                .filter(c -> c.seeding() || !c.snubbed()).toList());
        long rotation = config.seedRotation().toNanos();
        // Seeding peers that have had their turn go behind everyone still waiting; within each group, fastest first.
        ranked.sort(Comparator.<Candidate<P>, Boolean>comparing(c -> c.seeding() && c.isUnchoked() && now - c.unchokedSince() >= rotation)
                .thenComparing(Comparator.comparingLong(Candidate<P>::rankingRate).reversed()));
        Set<P> unchoke = new LinkedHashSet<>();
        for (Candidate<P> c : ranked) {
            if (unchoke.size() == config.slots() - 1) break;
            unchoke.add(c.peer());
        }
        chooseOptimistic(interested, unchoke, now);
        if (optimistic != null) unchoke.add(optimistic);
        return fill(interested, unchoke);
    }

    /**
     * Between rounds: keeps everyone who is unchoked and gives free slots (a peer left, or lost
     * interest) to the best waiting peers right away, rather than at the next round.
     */
    public Set<P> fillFreeSlots(List<Candidate<P>> peers, long now) {
        Set<P> unchoke = new LinkedHashSet<>();
        for (Candidate<P> c : peers) if (c.isUnchoked() && c.interested()) unchoke.add(c.peer());
        List<Candidate<P>> interested = peers.stream().filter(Candidate::interested).toList();
        return fill(interested, unchoke);
    }

    /** The current optimistic unchoke, if any. */
    public P optimistic() {
        return optimistic;
    }

    private void chooseOptimistic(List<Candidate<P>> interested, Set<P> regular, long now) {
        boolean stillValid = optimistic != null && !regular.contains(optimistic)
                && interested.stream().anyMatch(c -> c.peer().equals(optimistic));
        if (stillValid && now - optimisticSince < config.optimisticInterval().toNanos()) return;
        List<Candidate<P>> waiting = interested.stream()
                .filter(c -> !regular.contains(c.peer()) && !c.peer().equals(optimistic)).toList();
        if (waiting.isEmpty()) {
            if (!stillValid) optimistic = null;
            return;
        }
        optimistic = pickWeighted(waiting, now).peer();
        optimisticSince = now;
    }

    private Candidate<P> pickWeighted(List<Candidate<P>> waiting, long now) {
        long window = config.newPeerWindow().toNanos();
        int total = 0;
        int[] weights = new int[waiting.size()];
        for (int i = 0; i < waiting.size(); i++) {
            weights[i] = now - waiting.get(i).connectedAt() < window ? 3 : 1;
            total += weights[i];
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) return waiting.get(i);
        }
        throw new AssertionError("weights add up");
    }

    /** Adds waiting interested peers, non-snubbed and fastest first, until every slot is used. */
    private Set<P> fill(List<Candidate<P>> interested, Set<P> unchoke) {
        if (unchoke.size() >= config.slots()) return unchoke;
        List<Candidate<P>> waiting = new ArrayList<>(interested.stream().filter(c -> !unchoke.contains(c.peer())).toList());
        waiting.sort(Comparator.comparing(Candidate<P>::snubbed)
                .thenComparing(Comparator.comparingLong(Candidate<P>::downloadRate).reversed()));
        Set<P> seen = new HashSet<>(unchoke);
        for (Candidate<P> c : waiting) {
            if (unchoke.size() == config.slots()) break;
            if (seen.add(c.peer())) unchoke.add(c.peer());
        }
        return unchoke;
    }
}
