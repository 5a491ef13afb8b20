package org.jtorrent.testing;

import static org.jtorrent.testing.TestTorrent.Spec.file;
import static org.jtorrent.testing.TestTorrent.Spec.pad;

import java.util.BitSet;

/**
 * A multi-file torrent whose wanted files share pieces with unwanted ones, a padding file included:
 * the case file selection has to get right. 32 KiB pieces; files by index: 0 a (0..40000),
 * 1 b (..140000), 2 c (..170000), 3 padding (to 196608, a piece boundary), 4 d (..236608),
 * 5 e-empty, 6 sub/f (..246608).
 */
public final class StraddlingTorrent {
    /** a, c and d wanted; b, e-empty and sub/f left out (the padding file's level does not matter). */
    public static final int[] SOME = {4, 0, 4, 0, 4, 0, 0};
    public static final int[] ALL = {4, 4, 4, 4, 4, 4, 4};
    /** The files {@link #SOME} leaves out, padding included. */
    public static final int[] LEFT_OUT = {1, 3, 5, 6};
    public static final int[] WANTED_FILES = {0, 2, 4};

    private StraddlingTorrent() {
    }

    public static TestTorrent torrent() {
        return TestTorrent.multi("sel", 32 * 1024,
                file("a", 40_000),
                file("b", 100_000),
                file("c", 30_000),
                pad(196_608 - 170_000),
                file("d", 40_000),
                file("e-empty", 0),
                file("sub/f", 10_000));
    }

    /** Pieces with a byte of a wanted file under {@link #SOME}: 1, 4 and 7 hold bytes of unwanted files too. */
    public static BitSet wantedPieces() {
        return bits(0, 1, 4, 5, 6, 7);
    }

    /** Pieces that hold bytes of left-out files only: all that selecting the rest has to fetch. */
    public static BitSet restPieces() {
        return bits(2, 3);
    }

    public static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) b.set(i);
        return b;
    }
}
