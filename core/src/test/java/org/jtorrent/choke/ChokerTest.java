package org.jtorrent.choke;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jtorrent.choke.Choker.Candidate;
import org.junit.jupiter.api.Test;

class ChokerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long OLD = -1000 * SECOND; // connected long ago

    private static Candidate<String> peer(String name, long downloadRate) {
        return new Candidate<>(name, true, false, downloadRate, 0, OLD, -1, false);
    }

    @Test
    void leechingUnchokesTheFastestUploadersToUsPlusOneOptimistic() {
        Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT, new Random(1));
        List<Candidate<String>> peers = List.of(peer("a", 100), peer("b", 500), peer("c", 300), peer("d", 900),
                peer("e", 0), peer("f", 0));
        Set<String> unchoked = choker.rechoke(peers, 0);
        assertThat(unchoked).hasSize(4).contains("d", "b", "c");
        assertThat(choker.optimistic()).isIn("a", "e", "f");
    }

    @Test
    void snubbedAndUninterestedPeersGetNoRegularSlot() {
        Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT.withSlots(2), new Random(1));
        List<Candidate<String>> peers = List.of(
                new Candidate<>("snubbed-fast", true, true, 10_000, 0, OLD, -1, false),
                new Candidate<>("bored", false, false, 20_000, 0, OLD, -1, false),
                peer("slow", 10));
        Set<String> unchoked = choker.rechoke(peers, 0);
        assertThat(unchoked).doesNotContain("bored").contains("slow");
        assertThat(choker.optimistic()).isEqualTo("snubbed-fast"); // only optimistically
    }

    @Test
    void optimisticUnchokeRotatesOnlyAfterItsInterval() {
        ChokerConfig config = ChokerConfig.DEFAULT.withSlots(1); // the single slot is the optimistic one
        Choker<String> choker = new Choker<>(config, new Random(7));
        List<Candidate<String>> peers = List.of(peer("a", 0), peer("b", 0), peer("c", 0));
        choker.rechoke(peers, 0);
        String first = choker.optimistic();
        choker.rechoke(peers, 10 * SECOND);
        choker.rechoke(peers, 20 * SECOND);
        assertThat(choker.optimistic()).isEqualTo(first);
        choker.rechoke(peers, 30 * SECOND);
        assertThat(choker.optimistic()).isNotEqualTo(first);
    }

    @Test
    void newPeersAreThreeTimesAsLikelyToBeTheOptimisticPick() {
        Map<String, Integer> picks = new HashMap<>();
        Random random = new Random(3);
        for (int round = 0; round < 4000; round++) {
            Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT.withSlots(1), random);
            List<Candidate<String>> peers = List.of(peer("old", 0),
                    new Candidate<>("new", true, false, 0, 0, 100 * SECOND - 5 * SECOND, -1, false));
            choker.rechoke(peers, 100 * SECOND);
            picks.merge(choker.optimistic(), 1, Integer::sum);
        }
        double ratio = picks.get("new") / (double) picks.get("old");
        assertThat(ratio).isBetween(2.6, 3.4);
    }

    @Test
    void seedingRotatesSoEveryInterestedPeerIsServed() {
        ChokerConfig config = ChokerConfig.DEFAULT.withSlots(2);
        Choker<String> choker = new Choker<>(config, new Random(5));
        Map<String, Long> unchokedSince = new HashMap<>();
        Set<String> everServed = new HashSet<>();
        List<String> names = List.of("a", "b", "c", "d", "e", "f");
        for (long t = 0; t <= 300 * SECOND; t += 10 * SECOND) {
            List<Candidate<String>> peers = new ArrayList<>();
            for (String n : names) {
                long since = unchokedSince.getOrDefault(n, -1L);
                peers.add(new Candidate<>(n, true, false, 0, n.equals("a") ? 1_000_000 : 1000, OLD, since, true));
            }
            Set<String> unchoked = choker.rechoke(peers, t);
            assertThat(unchoked).hasSize(2);
            for (String n : names) {
                if (!unchoked.contains(n)) unchokedSince.remove(n);
                else unchokedSince.putIfAbsent(n, t);
            }
            everServed.addAll(unchoked);
        }
        assertThat(everServed).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void oneChokerOverManyTorrentsRanksEachPeerByWhatItsTorrentNeeds() {
        // Three regular slots shared by a torrent we download (rank by what the peer gives us) and
        // one we seed (rank by what we give the peer); a snubbed seed-side peer still counts.
        Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT.withSlots(4), new Random(3));
        List<Candidate<String>> peers = List.of(
                new Candidate<>("leech-gives-much", true, false, 900, 0, OLD, -1, false),
                new Candidate<>("leech-gives-nothing", true, false, 0, 5_000, OLD, -1, false),
                new Candidate<>("seed-takes-much", true, true, 0, 800, OLD, -1, true),
                new Candidate<>("seed-takes-some", true, false, 0, 700, OLD, -1, true),
                new Candidate<>("seed-takes-little", true, false, 0, 10, OLD, -1, true));
        Set<String> unchoked = choker.rechoke(peers, 0);
        assertThat(unchoked).hasSize(4)
                .contains("leech-gives-much", "seed-takes-much", "seed-takes-some")
                .contains(choker.optimistic());
        assertThat(choker.optimistic()).isIn("leech-gives-nothing", "seed-takes-little");
    }

    @Test
    void aFreedSlotIsFilledAtOnceWithoutChokingAnyone() {
        Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT.withSlots(3), new Random(1));
        List<Candidate<String>> peers = List.of(
                new Candidate<>("kept", true, false, 10, 0, OLD, 0, false),
                new Candidate<>("left-interest", false, false, 99, 0, OLD, 0, false),
                peer("waiting-fast", 50), peer("waiting-slow", 5),
                new Candidate<>("waiting-snubbed", true, true, 500, 0, OLD, -1, false));
        assertThat(choker.fillFreeSlots(peers, SECOND)).containsExactly("kept", "waiting-fast", "waiting-slow");
    }

    @Test
    void fewerPeersThanSlotsAreAllUnchoked() {
        Choker<String> choker = new Choker<>(ChokerConfig.DEFAULT, new Random(1));
        assertThat(choker.rechoke(List.of(peer("a", 0), peer("b", 1)), 0)).containsExactlyInAnyOrder("a", "b");
        assertThat(choker.rechoke(List.of(), SECOND)).isEmpty();
        assertThat(choker.optimistic()).isNull();
    }

    @Test
    void intervalsCanBeShortenedForTests() {
        ChokerConfig fast = ChokerConfig.DEFAULT.withIntervals(Duration.ofMillis(100), Duration.ofMillis(300));
        assertThat(fast.optimisticInterval()).isEqualTo(Duration.ofMillis(300));
        assertThat(fast.slots()).isEqualTo(4);
    }
}
