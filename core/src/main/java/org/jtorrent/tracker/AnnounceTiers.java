package org.jtorrent.tracker;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The BEP 12 announce-list order. Each tier is shuffled once, when the list is made, so that load
 * spreads over a tier's trackers; afterwards the order only changes when a tracker answers, which
 * moves it to the front of its tier. A URL listed twice is kept at its first place only.
 */
public final class AnnounceTiers {
    private final List<List<URI>> tiers;

    public AnnounceTiers(List<List<URI>> announceList, RandomGenerator random) {
        Set<URI> seen = new HashSet<>();
        List<List<URI>> copy = new ArrayList<>();
        for (List<URI> tier : announceList) {
            List<URI> t = new ArrayList<>();
            for (URI u : tier) if (seen.add(u)) t.add(u);
            if (t.isEmpty()) continue;
            Collections.shuffle(t, random);
            copy.add(t);
        }
        this.tiers = copy;
    }

    /** A snapshot of the current order: tiers first to last, trackers within a tier in try order. */
    public synchronized List<List<URI>> tiers() {
        return tiers.stream().map(List::copyOf).toList();
    }

    /** Every tracker in try order: all of tier 0, then all of tier 1, ... */
    public synchronized List<URI> inOrder() {
        return tiers.stream().flatMap(List::stream).toList();
    }

    /** A tracker answered: it moves to the front of its own tier (never to another tier). */
    public synchronized void promote(URI tracker) {
        for (List<URI> tier : tiers) {
            int i = tier.indexOf(tracker);
            if (i > 0) {
                tier.remove(i);
                tier.addFirst(tracker);
            }
            if (i >= 0) return;
        }
    }

    public synchronized boolean isEmpty() {
        return tiers.isEmpty();
    }
}
