package org.jtorrent.metainfo;

import java.util.BitSet;

/**
 * A set of file indices in BEP 53's syntax ({@code so=0,2,4-6}): 0-based indices into the
 * torrent's file list in its order, padding files included (the numbering {@code jtorrent info}
 * prints, and libtorrent's), separated by commas, with inclusive ranges {@code a-b}.
 *
 * @param files the selected indices, each below {@code fileCount}
 */
public record FileSelection(BitSet files, int fileCount) {

    public FileSelection {
        files = (BitSet) files.clone();
        if (files.length() > fileCount) throw new IllegalArgumentException("file index " + (files.length() - 1) + " is out of range");
    }

    @Override
    public BitSet files() {
        return (BitSet) files.clone();
    }

    /**
     * Parses {@code list} for a torrent of {@code fileCount} files. Throws
     * IllegalArgumentException with a one-line reason: garbage, an empty item, a reversed range, an
     * index out of range.
     */
    public static FileSelection parse(String list, int fileCount) {
        BitSet files = new BitSet();
        forEachRange(list, fileCount, (from, to) -> files.set(from, to + 1));
        return new FileSelection(files, fileCount);
    }

    /**
     * Parses {@code list} as libtorrent applies a magnet link's {@code so}: indices at or past
     * {@code fileCount} are ignored (the list was written before the file count was known), so the
     * selection may be empty. Syntax errors throw as in {@link #parse}.
     */
    public static FileSelection parseIgnoringExtra(String list, int fileCount) {
        BitSet files = new BitSet();
        forEachRange(list, NO_BOUND, (from, to) -> {
            if (from < fileCount) files.set(from, Math.min(to, fileCount - 1) + 1);
        });
        return new FileSelection(files, fileCount);
    }

    /**
     * Checks {@code list}'s syntax alone, before the file count is known (a magnet link's
     * {@code so}): throws IllegalArgumentException with a one-line reason. Allocates nothing per
     * index, so {@code 0-999999999} costs no more than {@code 0}. Returns the highest index named.
     */
    public static int checkSyntax(String list) {
        int[] highest = {0};
        forEachRange(list, NO_BOUND, (from, to) -> highest[0] = Math.max(highest[0], to));
        return highest[0];
    }

    /** No file count yet: any index of up to nine digits is in range. */
    private static final int NO_BOUND = Integer.MAX_VALUE;

    private interface RangeVisitor {
        void range(int from, int to);
    }

    private static void forEachRange(String list, int fileCount, RangeVisitor visitor) {
        if (list == null || list.isBlank()) throw new IllegalArgumentException("empty file list: expected indices such as 0,2,4-6");
        for (String item : list.split(",", -1)) {
            String t = item.strip();
            if (t.isEmpty()) throw new IllegalArgumentException("empty item in file list '" + list + "'");
            int dash = t.indexOf('-', 1);
            int from;
            int to;
            if (dash < 0) {
                from = to = index(t, fileCount, list);
            } else {
                from = index(t.substring(0, dash).strip(), fileCount, list);
                to = index(t.substring(dash + 1).strip(), fileCount, list);
                if (to < from) throw new IllegalArgumentException("range " + t + " runs backwards in file list '" + list + "'");
            }
            visitor.range(from, to);
        }
    }

    private static int index(String text, int fileCount, String list) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a file index in file list '" + list
                    + "' (expected indices such as 0,2,4-6)");
        }
        String digits = text.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 9 && fileCount == NO_BOUND) {
            throw new IllegalArgumentException("file index " + text + " is out of range (more than nine digits)");
        }
        if (digits.length() > 9 || Integer.parseInt(digits) >= fileCount) {
            throw new IllegalArgumentException("file index " + text + " is out of range: the torrent has " + fileCount
                    + (fileCount == 1 ? " file (index 0)" : " files (0-" + (fileCount - 1) + ")"));
        }
        return Integer.parseInt(digits);
    }

    public boolean contains(int file) {
        return files.get(file);
    }

    /** File priorities: the selected files at {@code level}, the others 0 (not downloaded). */
    public int[] priorities(int level) {
        Priorities.check(level);
        int[] levels = new int[fileCount];
        for (int f = files.nextSetBit(0); f >= 0; f = files.nextSetBit(f + 1)) levels[f] = level;
        return levels;
    }

    /** The list in BEP 53's syntax, runs of three or more as ranges: {@code parse(toString())} gives the same set. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int f = files.nextSetBit(0); f >= 0; ) {
            int end = files.nextClearBit(f) - 1;
            if (!sb.isEmpty()) sb.append(',');
            if (end - f >= 2) sb.append(f).append('-').append(end);
            else if (end == f) sb.append(f);
            else sb.append(f).append(',').append(end);
            f = files.nextSetBit(end + 1);
        }
        return sb.toString();
    }
}
