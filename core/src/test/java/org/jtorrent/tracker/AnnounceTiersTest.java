package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnnounceTiersTest {
    private static final URI A = URI.create("http://a/announce"), B = URI.create("http://b/announce"),
            C = URI.create("udp://c:1"), D = URI.create("http://d/announce"), E = URI.create("udp://e:1");

    @Test
    void shufflesEachTierButKeepsTiersInOrder() {
        Set<List<URI>> firstTierOrders = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            AnnounceTiers t = new AnnounceTiers(List.of(List.of(A, B, C), List.of(D, E)), new Random(seed));
            assertThat(t.tiers().get(0)).containsExactlyInAnyOrder(A, B, C);
            assertThat(t.tiers().get(1)).containsExactlyInAnyOrder(D, E);
            firstTierOrders.add(t.tiers().get(0));
        }
        assertThat(firstTierOrders).hasSizeGreaterThan(1); // it does shuffle
    }

    @Test
    void shuffledOnceOnly() {
        AnnounceTiers t = new AnnounceTiers(List.of(List.of(A, B, C, D, E)), new Random(3));
        List<URI> order = t.inOrder();
        for (int i = 0; i < 5; i++) assertThat(t.inOrder()).isEqualTo(order);
    }

    @Test
    void anAnsweringTrackerMovesToTheFrontOfItsOwnTierOnly() {
        AnnounceTiers t = new AnnounceTiers(List.of(List.of(A), List.of(B, C, D)), new Random(1));
        List<URI> second = t.tiers().get(1);
        URI last = second.get(2);
        t.promote(last);
        assertThat(t.tiers().get(1)).containsExactly(last, second.get(0), second.get(1));
        assertThat(t.tiers().get(0)).containsExactly(A);
        assertThat(t.inOrder().getFirst()).isEqualTo(A);
    }

    @Test
    void dropsDuplicatesAndEmptyTiers() {
        AnnounceTiers t = new AnnounceTiers(List.of(List.of(A, A), List.of(), List.of(A, B)), new Random(1));
        assertThat(t.tiers()).containsExactly(List.of(A), List.of(B));
    }
}
