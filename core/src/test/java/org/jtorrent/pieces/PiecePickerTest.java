package org.jtorrent.pieces;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.FileAttributes;
import org.jtorrent.metainfo.PieceLayout;
import org.junit.jupiter.api.Test;

class PiecePickerTest {
    // 3 pieces of 40 KiB (3 blocks: 16, 16, 8 KiB), the last piece 1 byte
    private final PieceLayout layout = new PieceLayout(2 * 40960 + 1, 40960,
            List.of(new FileEntry(List.of("f"), 2 * 40960 + 1, 0, FileAttributes.NONE)));

    private static BitSet all(int n) {
        BitSet b = new BitSet();
        b.set(0, n);
        return b;
    }

    @Test
    void everyBlockIsPickedExactlyOnceWithExactSizes() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        Set<Block> seen = new HashSet<>();
        List<Block> batch;
        while (!(batch = picker.pick(all(3), 2)).isEmpty()) {
            for (Block b : batch) assertThat(seen.add(b)).as("picked twice: " + b).isTrue();
        }
        assertThat(seen).hasSize(7).contains(new Block(2, 0, 1), new Block(0, 32768, 8192));
    }

    @Test
    void returnedBlocksArePickedAgainAndStartedPiecesComeFirst() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        Block first = picker.pick(all(3), 1).get(0);
        picker.returned(first);
        List<Block> again = picker.pick(all(3), 1);
        assertThat(again).containsExactly(first);
        // a started piece is finished before another is begun
        PiecePicker fresh = new PiecePicker(layout, new BitSet());
        Block one = fresh.pick(all(3), 1).get(0);
        List<Block> rest = fresh.pick(all(3), layout.blockCount(one.piece()) - 1);
        assertThat(rest).allMatch(b -> b.piece() == one.piece());
    }

    @Test
    void rarestFirstAndOnlyWhatThePeerHas() {
        PiecePicker picker = new PiecePicker(layout, new BitSet());
        picker.peerHas(all(3));
        picker.peerHas(0);
        picker.peerHas(2);
        assertThat(picker.pick(all(3), 1).get(0).piece()).isEqualTo(1);
        BitSet onlyTwo = new BitSet();
        onlyTwo.set(2);
        assertThat(picker.pick(onlyTwo, 10)).containsExactly(new Block(2, 0, 1));
    }

    @Test
    void verifiedPiecesAreNotWantedAndFailedOnesAreWantedAgain() {
        BitSet have = new BitSet();
        have.set(0);
        PiecePicker picker = new PiecePicker(layout, have);
        assertThat(picker.pick(all(3), 100)).noneMatch(b -> b.piece() == 0).hasSize(4);
        picker.failed(1);
        assertThat(picker.pick(all(3), 100)).hasSize(3).allMatch(b -> b.piece() == 1);
        picker.verified(1);
        picker.verified(2);
        assertThat(picker.complete()).isTrue();
        assertThat(picker.wantsAny(all(3))).isFalse();
    }
}
