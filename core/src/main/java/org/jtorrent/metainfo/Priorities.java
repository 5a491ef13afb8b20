package org.jtorrent.metainfo;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Priority levels, as libtorrent numbers them: 0 = do not download, 1 (low) to 7 (top), 4 the
 * default. File priorities become piece priorities here: a piece takes the highest priority of the
 * files it holds bytes of (padding files count for nothing), so a piece shared by a wanted and an
 * unwanted file is downloaded.
 */
public final class Priorities {
    public static final int SKIP = 0;
    public static final int LOWEST = 1;
    public static final int DEFAULT = 4;
    public static final int TOP = 7;

    private Priorities() {
    }

    /** Checks one level; the message names what is wrong in one line. */
    public static int check(int level) {
        if (level < SKIP || level > TOP) throw new IllegalArgumentException("priority " + level + " is not in 0..7");
        return level;
    }

    /** Every file at {@code level}. */
    public static int[] allFiles(PieceLayout layout, int level) {
        int[] files = new int[layout.fileCount()];
        Arrays.fill(files, check(level));
        return files;
    }

    /** A copy of {@code filePriorities}, checked: one level per file of the layout, each 0..7. */
    public static int[] checkFiles(PieceLayout layout, int[] filePriorities) {
        if (filePriorities.length != layout.fileCount()) {
            throw new IllegalArgumentException(filePriorities.length + " file priorities for " + layout.fileCount() + " files");
        }
        for (int level : filePriorities) check(level);
        return filePriorities.clone();
    }

    /** Each piece's priority: the highest of its non-padding files' priorities. */
    public static int[] ofPieces(PieceLayout layout, int[] filePriorities) {
        int[] files = checkFiles(layout, filePriorities);
        int[] pieces = new int[layout.pieceCount()];
        for (int file = 0; file < files.length; file++) {
            if (layout.isPadding(file) || files[file] == SKIP) continue;
            int[] range = layout.pieceRange(file);
            for (int piece = range[0]; piece < range[1]; piece++) pieces[piece] = Math.max(pieces[piece], files[file]);
        }
        return pieces;
    }

    /** The first and the last piece of every wanted (non-padding, non-empty) file: what a player reads first. */
    public static BitSet firstAndLastPieces(PieceLayout layout, int[] filePriorities) {
        int[] files = checkFiles(layout, filePriorities);
        BitSet ends = new BitSet(layout.pieceCount());
        for (int file = 0; file < files.length; file++) {
            if (layout.isPadding(file) || files[file] == SKIP) continue;
            int[] range = layout.pieceRange(file);
            if (range[1] > range[0]) {
                ends.set(range[0]);
                ends.set(range[1] - 1);
            }
        }
        return ends;
    }
}
