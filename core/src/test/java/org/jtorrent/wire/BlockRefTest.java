package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** BlockRef's hand-written equality must keep the record contract: equal exactly when all three parts are. */
class BlockRefTest {

    @Property
    void equalExactlyWhenAllPartsAre(@ForAll @IntRange(max = 3) int piece, @ForAll @IntRange(max = 3) int begin,
                                     @ForAll @IntRange(max = 3) int length, @ForAll @IntRange(max = 3) int piece2,
                                     @ForAll @IntRange(max = 3) int begin2, @ForAll @IntRange(max = 3) int length2) {
        BlockRef a = new BlockRef(piece, begin, length);
        BlockRef b = new BlockRef(piece2, begin2, length2);
        boolean same = piece == piece2 && begin == begin2 && length == length2;
        assertThat(a.equals(b)).isEqualTo(same);
        assertThat(b.equals(a)).isEqualTo(same);
        if (same) assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }

    @Property
    void worksAsASetKey(@ForAll int piece, @ForAll int begin, @ForAll int length) {
        Set<BlockRef> set = new HashSet<>();
        set.add(new BlockRef(piece, begin, length));
        assertThat(set).contains(new BlockRef(piece, begin, length));
        assertThat(set.remove(new BlockRef(piece, begin, length + 1))).isFalse();
        assertThat(set.remove(new BlockRef(piece, begin, length))).isTrue();
    }

    @Property
    void neverEqualsOtherTypesOrNull(@ForAll int piece) {
        BlockRef block = new BlockRef(piece, 0, 16384);
        assertThat(block.equals(null)).isFalse();
        assertThat(block.equals(new int[] {piece, 0, 16384})).isFalse();
    }

    @Property
    void blocksOfOnePieceSpreadOverHashCodes(@ForAll @IntRange(max = 1 << 20) int piece) {
        Set<Integer> hashes = new HashSet<>();
        for (int b = 0; b < 64; b++) hashes.add(new BlockRef(piece, b * 16384, 16384).hashCode());
        assertThat(hashes).hasSize(64);
    }
}
