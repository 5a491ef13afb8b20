package org.jtorrent.choke;

import java.time.Duration;

/**
 * The choker's knobs. Defaults are BEP 3's and the reference clients': 4 upload slots, one of them
 * optimistic; regular slots reconsidered every 10 s, the optimistic one rotated every 30 s.
 *
 * @param slots              peers unchoked at once, the optimistic one included
 * @param rechokeInterval    how often the engine calls {@link Choker#rechoke}
 * @param optimisticInterval how long an optimistic unchoke lasts
 * @param newPeerWindow      peers connected for less than this are three times as likely to be
 *                           picked optimistically: they have nothing to trade yet
 * @param seedRotation       when seeding, a peer unchoked this long gives its slot to a waiting one
 */
public record ChokerConfig(int slots, Duration rechokeInterval, Duration optimisticInterval, Duration newPeerWindow,
                           Duration seedRotation) {
    public static final ChokerConfig DEFAULT = new ChokerConfig(4, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(30));

    public ChokerConfig {
        if (slots < 1) throw new IllegalArgumentException("at least one upload slot");
    }

    public ChokerConfig withSlots(int n) {
        return new ChokerConfig(n, rechokeInterval, optimisticInterval, newPeerWindow, seedRotation);
    }

    /** All intervals scaled down, for tests and demos that cannot wait 30 s. */
    public ChokerConfig withIntervals(Duration rechoke, Duration optimistic) {
        return new ChokerConfig(slots, rechoke, optimistic, optimistic.multipliedBy(2), optimistic);
    }
}
