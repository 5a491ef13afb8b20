package org.jtorrent.pieces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jtorrent.metainfo.FileAttributes;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.Priorities;
import org.jtorrent.wire.BlockRef;
import org.junit.jupiter.api.Test;

/** Priorities, sequential mode, first-and-last-first, and done versus seed. */
class PiecePickerPrioritiesTest {
    private static final int P = 16384; // one block per piece keeps the arithmetic plain
    private final Object a = "peer A";
    private final Object b = "peer B";

    /** {@code n} pieces of one block in one file. */
    private static PieceLayout pieces(int n) {
        return new PieceLayout((long) n * P, P, List.of(new FileEntry(List.of("f"), (long) n * P, 0, FileAttributes.NONE)));
    }

    /** Files of the given lengths in order; a negative length is a padding file of that size. */
    private static PieceLayout files(int pieceLength, long... lengths) {
        List<FileEntry> files = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < lengths.length; i++) {
            long len = Math.abs(lengths[i]);
            files.add(new FileEntry(List.of("f" + i), len, offset, new FileAttributes(lengths[i] < 0, false, false, false)));
            offset += len;
        }
        return new PieceLayout(offset, pieceLength, files);
    }

    private static BitSet all(int n) {
        BitSet bits = new BitSet();
        bits.set(0, n);
        return bits;
    }

    private static int[] levels(int n, int level) {
        int[] l = new int[n];
        java.util.Arrays.fill(l, level);
        return l;
    }

    /** Starts pieces one at a time (one block each) for {@code owner} and returns their indices in order. */
    private static List<Integer> startOrder(PiecePicker picker, Object owner, BitSet candidates) {
        List<Integer> order = new ArrayList<>();
        List<BlockRef> one;
        while (!(one = picker.pick(owner, candidates, 1)).isEmpty()) order.add(one.get(0).piece());
        return order;
    }

    @Test
    void piecesAtZeroAreNeverPickedAndMakeNoPeerInteresting() {
        PiecePicker picker = new PiecePicker(pieces(6), new BitSet());
        picker.peerHas(all(6));
        picker.piecePriorities(new int[] {0, 4, 0, 4, 0, 0});
        assertThat(startOrder(picker, a, all(6))).containsExactlyInAnyOrder(1, 3);
        BitSet onlyUnwanted = new BitSet();
        onlyUnwanted.set(0);
        onlyUnwanted.set(4);
        assertThat(picker.wantsAny(onlyUnwanted)).isFalse();
        assertThat(picker.wantsAny(all(6))).isTrue();
        assertThat(picker.wanted()).isEqualTo(BitSet.valueOf(new long[] {0b001010}));
    }

    @Test
    void doneIsEveryWantedPieceAndSeedIsEveryPiece() {
        PiecePicker picker = new PiecePicker(pieces(4), new BitSet());
        picker.piecePriorities(new int[] {4, 0, 4, 0});
        assertThat(picker.hasAllWanted()).isFalse();
        picker.verified(0);
        picker.verified(2);
        assertThat(picker.hasAllWanted()).isTrue();
        assertThat(picker.hasAll()).isFalse();
        assertThat(picker.wantsAny(all(4))).as("nothing wanted is missing").isFalse();
        // Selecting more later: not done any more, and peers are interesting again.
        picker.piecePriority(3, 1);
        assertThat(picker.hasAllWanted()).isFalse();
        assertThat(picker.wantsAny(all(4))).isTrue();
        picker.verified(3);
        picker.verified(1); // a piece at 0 that arrived anyway (it was in flight) still counts as had
        assertThat(picker.hasAllWanted()).isTrue();
        assertThat(picker.hasAll()).isTrue();
    }

    @Test
    void higherLevelsGoFirstAndRarestFirstHoldsWithinALevel() {
        // Past the random start: the first RANDOM_FIRST pieces are had.
        int n = 12;
        BitSet had = all(PiecePicker.RANDOM_FIRST);
        PiecePicker picker = new PiecePicker(pieces(n), had, new SplittableRandom(1));
        picker.peerHas(all(n));
        picker.peerHas(all(n));
        BitSet rare = new BitSet();
        rare.set(9);
        rare.set(5);
        picker.peerGone(rare); // 5 and 9 are the rarest
        int[] levels = levels(n, 4);
        levels[10] = 7;
        levels[11] = 7;
        levels[9] = 1; // rare but low
        picker.piecePriorities(levels);
        List<Integer> order = startOrder(picker, a, all(n));
        assertThat(order.subList(0, 2)).containsExactlyInAnyOrder(10, 11);
        assertThat(order.get(2)).as("the rarest of level 4").isEqualTo(5);
        assertThat(order.get(order.size() - 1)).as("level 1 last, however rare").isEqualTo(9);
    }

    @Test
    void aStartedPieceDroppedToZeroGetsNoMoreBlocks() {
        // one piece of three blocks
        PieceLayout three = new PieceLayout(3 * P, 3 * P, List.of(new FileEntry(List.of("f"), 3 * P, 0, FileAttributes.NONE)));
        PiecePicker picker = new PiecePicker(three, new BitSet());
        BlockRef first = picker.pick(a, all(1), 1).get(0);
        picker.piecePriority(0, 0);
        assertThat(picker.pick(b, all(1), 10)).isEmpty();
        assertThat(picker.received(a, first).first()).as("a block in flight still lands").isTrue();
        picker.piecePriority(0, 4);
        assertThat(picker.pick(b, all(1), 10)).hasSize(2);
    }

    @Test
    void endGameCountsOnlyWantedPieces() {
        PiecePicker picker = new PiecePicker(pieces(3), new BitSet());
        picker.piecePriorities(new int[] {4, 0, 0});
        assertThat(picker.pick(a, all(3), 10)).hasSize(1);
        assertThat(picker.inEndGame()).isTrue();
        assertThat(picker.pick(b, all(3), 10)).as("a second copy, not an unwanted piece").containsExactly(new BlockRef(0, 0, P));
    }

    @Test
    void filePrioritiesBecomeTheMaximumOverEachPiecesFilesPaddingIgnored() {
        // pieces of 100 bytes: f0 0..150, pad 150..200, f2 200..250, f3 250..400
        PieceLayout layout = files(100, 150, -50, 50, 150);
        assertThat(Priorities.ofPieces(layout, new int[] {0, 7, 2, 0})).containsExactly(0, 0, 2, 0);
        assertThat(Priorities.ofPieces(layout, new int[] {1, 0, 0, 5})).containsExactly(1, 1, 5, 5);
        assertThat(Priorities.firstAndLastPieces(layout, new int[] {0, 0, 3, 3}).toString()).isEqualTo("{2, 3}");
        assertThatThrownBy(() -> Priorities.ofPieces(layout, new int[] {1, 2})).hasMessage("2 file priorities for 4 files");
        assertThatThrownBy(() -> Priorities.ofPieces(layout, new int[] {1, 2, 8, 0})).hasMessage("priority 8 is not in 0..7");
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        picker.filePriorities(new int[] {0, 4, 4, 0});
        assertThat(picker.wanted().toString()).isEqualTo("{2}");
    }

    @Test
    void sequentialModeStartsPiecesInIndexOrderWithinTheWindow() {
        int n = 40;
        PiecePicker picker = new PiecePicker(pieces(n), new BitSet(), new SplittableRandom(3));
        picker.peerHas(all(n));
        picker.sequential(true, false);
        picker.sequentialWindow(8);
        assertThat(startOrder(picker, a, all(n))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        picker.verified(3); // out of order: the window does not move
        assertThat(picker.pick(a, all(n), 1)).isEmpty();
        picker.verified(0);
        assertThat(startOrder(picker, a, all(n))).containsExactly(8);
        picker.verified(1);
        picker.verified(2);
        assertThat(startOrder(picker, a, all(n))).as("lowest missing is 4: window 4..11").containsExactly(9, 10, 11);
    }

    @Test
    void sequentialWindowSkipsPiecesNoPeerHas() {
        PiecePicker picker = new PiecePicker(pieces(20), new BitSet());
        BitSet peer = all(20);
        peer.clear(0, 5); // nobody has 0..4
        picker.peerHas(peer);
        picker.sequential(true, false);
        picker.sequentialWindow(3);
        assertThat(startOrder(picker, a, peer)).containsExactly(5, 6, 7);
    }

    @Test
    void fileEndsFirstInBothModes() {
        // pieces of 100: f0 0..350 (pieces 0-3), f1 350..800 (pieces 3-7), f2 unwanted 800..1000 (8-9)
        PieceLayout layout = files(100, 350, 450, 200);
        for (boolean sequential : new boolean[] {false, true}) {
            PiecePicker picker = new PiecePicker(layout, new BitSet(), new SplittableRandom(5));
            picker.peerHas(all(10));
            picker.filePriorities(new int[] {4, 4, 0});
            picker.sequential(sequential, true);
            List<Integer> order = startOrder(picker, a, all(10));
            assertThat(order.subList(0, 3)).as("sequential " + sequential).containsExactlyInAnyOrder(0, 3, 7);
            assertThat(order).hasSize(8).doesNotContain(8, 9);
            if (sequential) assertThat(order.subList(3, 8)).containsExactly(1, 2, 4, 5, 6);
        }
    }

    @Test
    void badPrioritiesAreRefusedWithAOneLineReason() {
        PiecePicker picker = new PiecePicker(pieces(3), new BitSet());
        assertThatThrownBy(() -> picker.piecePriority(0, -1)).hasMessage("priority -1 is not in 0..7");
        assertThatThrownBy(() -> picker.piecePriorities(new int[] {1})).hasMessage("1 piece priorities for 3 pieces");
        assertThatThrownBy(() -> picker.piecePriority(3, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> picker.sequentialWindow(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Whatever the levels and the order of events: only wanted pieces start, each wanted block is
     * picked once before end game, a piece starts only when no startable piece of a higher level
     * is left, and done is reached exactly when every wanted piece is verified.
     */
    @Property(tries = 200)
    void levelsAreObeyedAndEveryWantedBlockIsPickedOnce(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 7) Integer> levels,
                                                        @ForAll long seed) {
        int n = levels.size();
        PiecePicker picker = new PiecePicker(pieces(n), new BitSet(), new SplittableRandom(seed));
        picker.peerHas(all(n));
        picker.piecePriorities(levels.stream().mapToInt(Integer::intValue).toArray());
        SplittableRandom random = new SplittableRandom(seed);
        Set<Integer> started = new HashSet<>();
        while (!picker.hasAllWanted()) {
            List<BlockRef> picked = picker.pick(a, all(n), 1);
            if (picked.isEmpty()) break;
            int piece = picked.get(0).piece();
            assertThat(levels.get(piece)).isPositive();
            assertThat(started.add(piece)).as("picked once").isTrue();
            for (int other = 0; other < n; other++) {
                if (!started.contains(other)) assertThat(levels.get(other)).isLessThanOrEqualTo(levels.get(piece));
            }
            if (random.nextBoolean()) {
                picker.received(a, picked.get(0));
                picker.verified(piece);
            }
        }
        for (int piece : started) picker.verified(piece);
        long wanted = levels.stream().filter(l -> l > 0).count();
        assertThat(started).hasSize((int) wanted);
        assertThat(picker.hasAllWanted()).isTrue();
        assertThat(picker.hasAll()).isEqualTo(wanted == n);
    }

    /** Sequential mode never starts a piece a window or more past the lowest wanted piece not verified. */
    @Property(tries = 200)
    void sequentialNeverStartsBeyondTheWindow(@ForAll @IntRange(min = 1, max = 60) int n, @ForAll @IntRange(min = 1, max = 8) int window,
                                              @ForAll long seed) {
        PiecePicker picker = new PiecePicker(pieces(n), new BitSet(), new SplittableRandom(seed));
        picker.peerHas(all(n));
        picker.sequential(true, false);
        picker.sequentialWindow(window);
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> inFlight = new ArrayList<>();
        BitSet verified = new BitSet();
        while (verified.cardinality() < n) {
            for (BlockRef blk : picker.pick(random.nextBoolean() ? a : b, all(n), 1 + random.nextInt(3))) {
                assertThat(blk.piece()).isLessThan(verified.nextClearBit(0) + window);
                inFlight.add(blk.piece());
            }
            if (!inFlight.isEmpty()) {
                int piece = inFlight.remove(random.nextInt(inFlight.size()));
                picker.verified(piece);
                verified.set(piece);
            }
        }
        assertThat(picker.hasAll()).isTrue();
    }
}
