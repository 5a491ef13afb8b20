package org.jtorrent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jtorrent.id.InfoHash;
import org.jtorrent.wire.MetadataMessage;
import org.junit.jupiter.api.Test;

/** The assembler alone: peers are strings, time is a number, nothing is sent. */
class MetadataFetchTest {
    private static final long CAP = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long SECOND = 1_000_000_000L;

    private final byte[] info = random(5 * MetadataMessage.BLOCK + 123, 1);
    private final InfoHash hash = InfoHash.of(sha1(info));
    private final MetadataFetch<String> fetch = new MetadataFetch<>(hash, CAP, TIMEOUT);

    private byte[] block(byte[] of, int piece) {
        int from = piece * MetadataMessage.BLOCK;
        return Arrays.copyOfRange(of, from, Math.min(of.length, from + MetadataMessage.BLOCK));
    }

    /** Answers every ask: honest peers from {@code info}, peers named in {@code liars} with flipped bytes. */
    private void answerAll(long now, List<String> liars) {
        for (int round = 0; round < 1000 && fetch.result().isEmpty(); round++) {
            List<MetadataFetch.Ask<String>> asks = fetch.asks(now);
            if (asks.isEmpty()) return;
            for (MetadataFetch.Ask<String> a : asks) {
                byte[] data = block(info, a.piece());
                if (liars.contains(a.peer())) data[0] ^= 1;
                fetch.received(a.peer(), a.piece(), info.length, data);
            }
        }
    }

    @Test
    void assemblesFromSeveralPeersWithACoupleInFlightEach() {
        fetch.joined("a", info.length);
        fetch.joined("b", info.length);
        fetch.joined("c", info.length);
        List<MetadataFetch.Ask<String>> first = fetch.asks(0);
        // 6 blocks, 3 peers, 2 each: all in flight at once, spread over the peers, none twice.
        assertThat(first).hasSize(6);
        assertThat(first).extracting(MetadataFetch.Ask::peer).containsOnly("a", "b", "c");
        assertThat(first.stream().filter(a -> a.peer().equals("a"))).hasSize(MetadataFetch.IN_FLIGHT_PER_SOURCE);
        assertThat(first).extracting(MetadataFetch.Ask::piece).doesNotHaveDuplicates();
        for (MetadataFetch.Ask<String> a : first) fetch.received(a.peer(), a.piece(), info.length, block(info, a.piece()));
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
    }

    @Test
    void aLiarAmongHonestPeersIsFoundAndDroppedAndTheMetadataStillVerifies() {
        fetch.joined("honest1", info.length);
        fetch.joined("liar", info.length);
        fetch.joined("honest2", info.length);
        answerAll(0, List.of("liar"));
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
        // The mixed set failed, one source at a time narrowed it down; the liar was never trusted for the result.
        assertThat(fetch.bufferBytes()).isZero();
    }

    @Test
    void blocksNobodyAskedForAreIgnoredSoALiarCannotSpoilEverySet() {
        fetch.joined("honest", info.length);
        fetch.joined("liar", info.length);
        for (int round = 0; round < 100 && fetch.result().isEmpty(); round++) {
            List<MetadataFetch.Ask<String>> asks = fetch.asks(0);
            if (asks.isEmpty()) break;
            for (MetadataFetch.Ask<String> a : asks) {
                if (a.piece() % 2 == 0) { // a wrong copy of every other block first, whether asked or not
                    byte[] wrong = block(info, a.piece());
                    wrong[0] ^= 1;
                    fetch.received("liar", a.piece(), info.length, wrong);
                }
                else if (a.peer().equals("liar")) fetch.received("liar", a.piece(), info.length, block(info, a.piece()));
                if (a.peer().equals("honest")) fetch.received("honest", a.piece(), info.length, block(info, a.piece()));
            }
        }
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
    }

    @Test
    void aLiarThatAloneSuppliedAFailingSetIsDropped() {
        fetch.joined("liar", info.length);
        answerAll(0, List.of("liar"));
        assertThat(fetch.result()).isEmpty();
        assertThat(fetch.droppedWhy("liar")).hasValueSatisfying(w -> assertThat(w).contains("hash"));
        assertThat(fetch.asks(0)).isEmpty(); // nobody left to ask: waits, asks nothing
        assertThat(fetch.sourceCount()).isZero(); // (the engine then announces for more peers)
        fetch.joined("honest", info.length);
        answerAll(0, List.of());
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
    }

    @Test
    void whenEveryPeerLiesEachIsDroppedInTurnAndNothingIsAccepted() {
        for (String p : List.of("l1", "l2", "l3", "l4")) fetch.joined(p, info.length);
        answerAll(0, List.of("l1", "l2", "l3", "l4"));
        assertThat(fetch.result()).isEmpty();
        assertThat(fetch.droppedPeers()).containsExactlyInAnyOrder("l1", "l2", "l3", "l4");
        assertThat(fetch.bufferBytes()).isEqualTo(info.length); // one buffer, however many lied
    }

    @Test
    void aSizeOverTheCapDropsThePeerAtOnceAndAllocatesNothing() {
        fetch.joined("huge", 100L * 1024 * 1024);
        assertThat(fetch.droppedWhy("huge")).hasValueSatisfying(w -> assertThat(w).contains("over the cap"));
        assertThat(fetch.asks(0)).isEmpty();
        assertThat(fetch.bufferBytes()).isZero();
    }

    @Test
    void theSizeMostPeersSayWinsAndAPeerWhoseTotalSizeDisagreesIsDropped() {
        fetch.joined("a", info.length);
        fetch.joined("odd", info.length + 7);
        fetch.joined("b", info.length);
        assertThat(fetch.size()).isEqualTo(info.length);
        // Only peers of the chosen size are asked.
        List<MetadataFetch.Ask<String>> first = fetch.asks(0);
        assertThat(first).extracting(MetadataFetch.Ask::peer).doesNotContain("odd");
        // A peer whose data message contradicts its own metadata_size is dropped too.
        fetch.received("a", 1, info.length + 1, block(info, 1));
        assertThat(fetch.droppedWhy("a")).hasValueSatisfying(w -> assertThat(w).contains("total_size"));
        for (MetadataFetch.Ask<String> a : first) if (a.peer().equals("b")) fetch.received("b", a.piece(), info.length, block(info, a.piece()));
        answerAll(0, List.of());
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
    }

    @Test
    void aPeerWithoutMetadataSizeIsAskedForBlockZeroAndItsTotalSizeCounts() {
        fetch.joined("quiet", 0);
        List<MetadataFetch.Ask<String>> asks = fetch.asks(0);
        assertThat(asks).containsExactly(new MetadataFetch.Ask<>("quiet", 0));
        fetch.received("quiet", 0, info.length, block(info, 0));
        assertThat(fetch.size()).isEqualTo(info.length);
        answerAll(0, List.of());
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
    }

    @Test
    void aPeerThatRejectsEveryRequestIsDroppedAndItsBlocksGoElsewhere() {
        fetch.joined("rejecter", info.length);
        int rejects = 0;
        for (List<MetadataFetch.Ask<String>> asks; !(asks = fetch.asks(0)).isEmpty(); ) {
            for (MetadataFetch.Ask<String> a : asks) {
                fetch.rejected(a.peer(), a.piece());
                rejects++;
            }
        }
        assertThat(rejects).isBetween(MetadataFetch.MAX_MISSES, MetadataFetch.MAX_MISSES + MetadataFetch.IN_FLIGHT_PER_SOURCE - 1);
        assertThat(fetch.droppedWhy("rejecter")).hasValueSatisfying(w -> assertThat(w).contains("rejected or unanswered"));
        fetch.joined("honest", info.length);
        answerAll(0, List.of());
        assertThat(fetch.result()).isPresent();
    }

    @Test
    void unansweredRequestsTimeOutAndAreAskedOfAnotherPeer() {
        fetch.joined("silent", info.length);
        fetch.joined("honest", info.length);
        List<Integer> silentPieces = new java.util.ArrayList<>();
        for (long now = 0; ; now++) { // honest answers at once, silent never
            List<MetadataFetch.Ask<String>> asks = fetch.asks(now);
            if (asks.isEmpty()) break;
            for (MetadataFetch.Ask<String> a : asks) {
                if (a.peer().equals("silent")) silentPieces.add(a.piece());
                else fetch.received("honest", a.piece(), info.length, block(info, a.piece()));
            }
        }
        assertThat(silentPieces).hasSize(MetadataFetch.IN_FLIGHT_PER_SOURCE);
        assertThat(fetch.result()).isEmpty();
        fetch.expire(5 * SECOND); // not yet
        assertThat(fetch.inFlight()).isEqualTo(silentPieces.size());
        fetch.expire(11 * SECOND);
        assertThat(fetch.inFlight()).isZero();
        // Asked again, of the peer that answers first (fewest misses), not of the silent one.
        List<MetadataFetch.Ask<String>> again = fetch.asks(11 * SECOND);
        assertThat(again).extracting(MetadataFetch.Ask::piece).containsExactlyInAnyOrderElementsOf(silentPieces);
        assertThat(again).extracting(MetadataFetch.Ask::peer).containsOnly("honest");
        for (MetadataFetch.Ask<String> a : again) fetch.received("honest", a.piece(), info.length, block(info, a.piece()));
        assertThat(fetch.result()).hasValueSatisfying(r -> assertThat(r).isEqualTo(info));
        assertThat(fetch.droppedWhy("silent")).isEmpty(); // two misses: not yet dropped
    }

    @Test
    void aBlockOfTheWrongLengthDropsItsSenderAndOneNobodyAskedForIsIgnored() {
        fetch.joined("short", info.length);
        fetch.joined("eager", info.length);
        List<MetadataFetch.Ask<String>> asks = fetch.asks(0);
        assertThat(asks.get(0).peer()).isEqualTo("short");
        fetch.received("short", asks.get(0).piece(), info.length, new byte[100]);
        assertThat(fetch.droppedWhy("short")).hasValueSatisfying(w -> assertThat(w).contains("expected"));
        fetch.received("eager", 5, info.length, new byte[100]); // never asked of it: not even looked at
        assertThat(fetch.droppedWhy("eager")).isEmpty();
    }

    @Test
    void aPeerThatLeavesHasItsRequestsAskedElsewhere() {
        fetch.joined("a", info.length);
        fetch.joined("b", info.length);
        List<MetadataFetch.Ask<String>> first = fetch.asks(0);
        fetch.left("a");
        List<MetadataFetch.Ask<String>> again = fetch.asks(0);
        assertThat(again).isEmpty(); // b has its two in flight still
        for (MetadataFetch.Ask<String> a : first) if (a.peer().equals("b")) fetch.received("b", a.piece(), info.length, block(info, a.piece()));
        answerAll(0, List.of());
        assertThat(fetch.result()).isPresent();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha1(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
