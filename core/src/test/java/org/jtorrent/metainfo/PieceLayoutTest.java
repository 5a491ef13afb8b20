package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jtorrent.metainfo.PieceLayout.FileSlice;
import org.junit.jupiter.api.Test;

class PieceLayoutTest {

    private static PieceLayout layout(int pieceLength, long... fileLengths) {
        List<FileEntry> files = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < fileLengths.length; i++) {
            files.add(new FileEntry(List.of("t", "f" + i), fileLengths[i], offset, FileAttributes.NONE));
            offset += fileLengths[i];
        }
        return new PieceLayout(offset, pieceLength, files);
    }

    @Test
    void lastPieceIsShortAndLastBlockToo() {
        PieceLayout l = layout(32768, 32768 * 2 + 1);
        assertThat(l.pieceCount()).isEqualTo(3);
        assertThat(l.pieceSize(0)).isEqualTo(32768);
        assertThat(l.pieceSize(2)).isEqualTo(1);
        assertThat(l.blockCount(0)).isEqualTo(2);
        assertThat(l.blockCount(2)).isEqualTo(1);
        assertThat(l.blockSize(2, 0)).isEqualTo(1);
        assertThatThrownBy(() -> l.pieceSize(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> l.blockSize(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void pieceSpanningFilesAndSkippingEmptyOnes() {
        PieceLayout l = layout(16384, 10000, 0, 0, 10000, 16384);
        assertThat(l.slices(0)).containsExactly(
                new FileSlice(0, 0, 0, 10000, false),
                new FileSlice(3, 0, 10000, 6384, false));
        assertThat(l.slices(1)).containsExactly(
                new FileSlice(3, 6384, 0, 3616, false),
                new FileSlice(4, 0, 3616, 12768, false));
        assertThat(l.pieceRange(1)).containsExactly(0, 0); // empty file: no piece
        assertThat(l.pieceRange(3)).containsExactly(0, 2);
    }

    @Test
    void requestsOutsideThePieceAreInvalid() {
        PieceLayout l = layout(32768, 40000);
        assertThat(l.isValidRequest(0, 16384, 16384)).isTrue();
        assertThat(l.isValidRequest(1, 0, 7232)).isTrue();
        assertThat(l.isValidRequest(1, 0, 7233)).isFalse();
        assertThat(l.isValidRequest(2, 0, 1)).isFalse();
        assertThat(l.isValidRequest(0, -1, 1)).isFalse();
        assertThat(l.isValidRequest(0, Integer.MAX_VALUE, Integer.MAX_VALUE)).isFalse();
    }

    @Property(tries = 300)
    void slicesOfEveryPieceTileTheStreamExactly(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 70000) Integer> sizes,
                                                @ForAll @IntRange(min = 0, max = 3) int pieceExponent) {
        long total = sizes.stream().mapToLong(Integer::longValue).sum();
        if (total == 0) return;
        PieceLayout l = layout(16384 << pieceExponent, sizes.stream().mapToLong(Integer::longValue).toArray());
        long covered = 0;
        for (int p = 0; p < l.pieceCount(); p++) {
            int inPiece = 0;
            for (FileSlice s : l.slices(p)) {
                assertThat(s.pieceOffset()).isEqualTo(inPiece);
                assertThat(s.length()).isPositive();
                assertThat(s.fileOffset() + s.length()).isLessThanOrEqualTo(sizes.get(s.file()));
                inPiece += s.length();
            }
            assertThat(inPiece).isEqualTo(l.pieceSize(p));
            covered += inPiece;
        }
        assertThat(covered).isEqualTo(total);
    }
}
