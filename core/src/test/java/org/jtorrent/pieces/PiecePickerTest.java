package org.jtorrent.pieces;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jtorrent.metainfo.FileAttributes;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.wire.BlockRef;
import org.junit.jupiter.api.Test;

class PiecePickerTest {
    // 3 pieces of 40 KiB (3 blocks: 16, 16, 8 KiB), the last piece 1 byte
    private final PieceLayout layout = new PieceLayout(2 * 40960 + 1, 40960,
            List.of(new FileEntry(List.of("f"), 2 * 40960 + 1, 0, FileAttributes.NONE)));
    private final Object a = "peer A";
    private final Object b = "peer B";
    private final Object c = "peer C";

    private static BitSet all(int n) {
        BitSet bits = new BitSet();
        bits.set(0, n);
        return bits;
    }

    private static BitSet haveFirst(int n) {
        return all(n);
    }

    @Test
    void everyBlockIsPickedExactlyOnceWithExactSizes() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        Set<BlockRef> seen = new HashSet<>();
        List<BlockRef> batch;
        while (!(batch = picker.pick(a, all(3), 2)).isEmpty()) {
            for (BlockRef blk : batch) assertThat(seen.add(blk)).as("picked twice: " + blk).isTrue();
        }
        assertThat(seen).hasSize(7).contains(new BlockRef(2, 0, 1), new BlockRef(0, 32768, 8192));
    }

    @Test
    void returnedBlocksArePickedAgainAndStartedPiecesComeFirst() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        BlockRef first = picker.pick(a, all(3), 1).get(0);
        picker.returned(a, first);
        assertThat(picker.pick(b, all(3), 1)).containsExactly(first);
        // a started piece is finished before another is begun
        PiecePicker fresh = new PiecePicker(layout, new BitSet());
        BlockRef one = fresh.pick(a, all(3), 1).get(0);
        List<BlockRef> rest = fresh.pick(b, all(3), layout.blockCount(one.piece()) - 1);
        assertThat(rest).allMatch(blk -> blk.piece() == one.piece());
    }

    @Test
    void rarestFirstOnceAFewPiecesAreHadAndOnlyWhatThePeerHas() {
        // 10 pieces of 16 KiB; the first RANDOM_FIRST are had, so rarest-first is in force
        PieceLayout ten = new PieceLayout(10 * 16384, 16384, List.of(new FileEntry(List.of("f"), 10 * 16384, 0, FileAttributes.NONE)));
        PiecePicker picker = new PiecePicker(ten, haveFirst(PiecePicker.RANDOM_FIRST));
        picker.peerHas(all(10));
        picker.peerHas(all(10));
        picker.peerGone(bit(7)); // piece 7 is now the rarest
        assertThat(picker.pick(a, all(10), 1).get(0).piece()).isEqualTo(7);
        assertThat(picker.pick(a, bit(9), 10)).containsExactly(new BlockRef(9, 0, 16384));
    }

    @Test
    void theFirstPiecesAreRandomNotRarest() {
        PieceLayout many = new PieceLayout(64 * 16384, 16384, List.of(new FileEntry(List.of("f"), 64 * 16384, 0, FileAttributes.NONE)));
        Set<Integer> firstPieces = new HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            PiecePicker picker = new PiecePicker(many, new BitSet(), new SplittableRandom(seed));
            picker.peerHas(all(64));
            picker.peerGone(bit(5)); // rarest-first would always pick 5
            firstPieces.add(picker.pick(a, all(64), 1).get(0).piece());
        }
        assertThat(firstPieces).hasSizeGreaterThan(5);
    }

    @Test
    void rarestTiesAreBrokenAtRandom() {
        PieceLayout many = new PieceLayout(64 * 16384, 16384, List.of(new FileEntry(List.of("f"), 64 * 16384, 0, FileAttributes.NONE)));
        Set<Integer> picks = new HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            PiecePicker picker = new PiecePicker(many, haveFirst(PiecePicker.RANDOM_FIRST), new SplittableRandom(seed));
            picker.peerHas(all(64));
            picks.add(picker.pick(a, all(64), 1).get(0).piece());
        }
        assertThat(picks).hasSizeGreaterThan(5).allMatch(p -> p >= PiecePicker.RANDOM_FIRST);
    }

    @Test
    void verifiedPiecesAreNotWantedAndFailedOnesAreWantedAgain() {
        PiecePicker picker = new PiecePicker(layout, bit(0));
        assertThat(picker.pick(a, all(3), 100)).noneMatch(blk -> blk.piece() == 0).hasSize(4);
        picker.failed(1);
        assertThat(picker.pick(a, all(3), 100)).hasSize(3).allMatch(blk -> blk.piece() == 1);
        picker.verified(1);
        picker.verified(2);
        assertThat(picker.hasAll()).isTrue();
        assertThat(picker.hasAllWanted()).isTrue();
        assertThat(picker.wantsAny(all(3))).isFalse();
    }

    @Test
    void endGameSendsAtMostTwoCopiesAndTheFirstArrivalCancelsTheOther() {
        PiecePicker picker = new PiecePicker(layout, bit(0, 2));
        List<BlockRef> mine = picker.pick(a, all(3), 100);
        assertThat(mine).hasSize(3);
        assertThat(picker.inEndGame()).isTrue();
        assertThat(picker.pick(a, all(3), 100)).as("never twice to one owner").isEmpty();
        List<BlockRef> second = picker.pick(b, all(3), 100);
        assertThat(second).containsExactlyElementsOf(mine);
        assertThat(picker.pick(c, all(3), 100)).as("never a third copy").isEmpty();

        BlockRef blk = mine.get(0);
        PiecePicker.Arrival won = picker.received(b, blk);
        assertThat(won.first()).isTrue();
        assertThat(won.losers()).containsExactly(a);
        PiecePicker.Arrival late = picker.received(a, blk);
        assertThat(late.first()).as("a duplicate is not stored").isFalse();
        // A returned second copy frees the slot for a third peer.
        picker.returned(a, mine.get(1));
        assertThat(picker.pick(c, all(3), 100)).containsExactly(mine.get(1));
    }

    @Test
    void noEndGameWhileUnstartedPiecesRemain() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        List<BlockRef> mine = picker.pick(a, bit(0), 100);
        assertThat(picker.inEndGame()).isFalse();
        assertThat(picker.pick(b, bit(0), 100)).as("piece 0 is all in flight; others are not started").isEmpty();
        assertThat(mine).hasSize(3);
    }

    @Test
    void aVerifiedPieceTakesNoMoreBlocks() {
        PiecePicker picker = new PiecePicker(layout, bit(0, 1));
        List<BlockRef> mine = picker.pick(a, all(3), 100);
        picker.pick(b, all(3), 100);
        assertThat(picker.received(a, mine.get(0)).first()).isTrue();
        picker.verified(2);
        assertThat(picker.received(b, mine.get(0)).first()).isFalse();
        assertThat(picker.pick(c, all(3), 100)).isEmpty();
    }

    private static BitSet bit(int... pieces) {
        BitSet bits = new BitSet();
        for (int p : pieces) bits.set(p);
        return bits;
    }
}
