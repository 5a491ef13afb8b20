package org.jtorrent.metainfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All piece, block and file arithmetic of a torrent in one place (rqbit's {@code Lengths}): piece
 * sizes with the short last piece, blocks within a piece, and which files a piece spans. Indices are
 * checked here once, so callers never repeat the off-by-one-prone sums.
 */
public final class PieceLayout {
    /** The request size every client uses (BEP 3 recommends 2^14). */
    public static final int BLOCK_SIZE = 16 * 1024;

    private final long totalLength;
    private final int pieceLength;
    private final int pieceCount;
    private final long[] fileOffsets; // start of each file in the byte stream; one extra entry: total
    private final boolean[] padding;

    public PieceLayout(long totalLength, int pieceLength, List<FileEntry> files) {
        if (pieceLength <= 0) throw new IllegalArgumentException("piece length must be positive");
        if (totalLength <= 0) throw new IllegalArgumentException("total length must be positive");
        this.totalLength = totalLength;
        this.pieceLength = pieceLength;
        long count = (totalLength + pieceLength - 1) / pieceLength;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("too many pieces");
        this.pieceCount = (int) count;
        this.fileOffsets = new long[files.size() + 1];
        this.padding = new boolean[files.size()];
        for (int i = 0; i < files.size(); i++) {
            fileOffsets[i] = files.get(i).offset();
            padding[i] = files.get(i).isPadding();
        }
        fileOffsets[files.size()] = totalLength;
    }

    public long totalLength() {
        return totalLength;
    }

    public int pieceLength() {
        return pieceLength;
    }

    public int pieceCount() {
        return pieceCount;
    }

    public int fileCount() {
        return padding.length;
    }

    /** Whether a file is BEP 47 padding: never stored, never selected. */
    public boolean isPadding(int file) {
        return padding[file];
    }

    /** Size of a piece: the piece length, except for the last piece, which may be shorter. */
    public int pieceSize(int piece) {
        checkPiece(piece);
        return piece == pieceCount - 1 ? (int) (totalLength - (long) piece * pieceLength) : pieceLength;
    }

    /** Offset of the piece's first byte in the torrent's byte stream. */
    public long pieceOffset(int piece) {
        checkPiece(piece);
        return (long) piece * pieceLength;
    }

    public int blockCount(int piece) {
        return (pieceSize(piece) + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** Size of a block: 16 KiB, except the last block of a piece, which may be shorter. */
    public int blockSize(int piece, int block) {
        int size = pieceSize(piece);
        int blocks = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
        if (block < 0 || block >= blocks) {
            throw new IndexOutOfBoundsException("block " + block + " of piece " + piece + " (" + blocks + " blocks)");
        }
        return block == blocks - 1 ? size - block * BLOCK_SIZE : BLOCK_SIZE;
    }

    /** Whether a request (begin, length) lies inside the piece: what a peer may ask for or send. */
    public boolean isValidRequest(int piece, int begin, int length) {
        if (piece < 0 || piece >= pieceCount || begin < 0 || length <= 0) return false;
        return (long) begin + length <= pieceSize(piece);
    }

    /** One contiguous run of a piece inside one file. */
    public record FileSlice(int file, long fileOffset, int pieceOffset, int length, boolean padding) {
    }

    /** The files a piece spans, in order, each with where in the file and in the piece the run lies. */
    public List<FileSlice> slices(int piece) {
        return slices(pieceOffset(piece), pieceSize(piece));
    }

    /** The files a range of the byte stream spans (empty files, which hold no bytes, are skipped). */
    public List<FileSlice> slices(long streamOffset, int length) {
        if (streamOffset < 0 || length < 0 || streamOffset + length > totalLength) {
            throw new IndexOutOfBoundsException("range " + streamOffset + "+" + length + " of " + totalLength);
        }
        List<FileSlice> result = new ArrayList<>(2);
        int file = fileAt(streamOffset);
        long position = streamOffset;
        long end = streamOffset + length;
        while (position < end) {
            long fileEnd = fileOffsets[file + 1];
            if (fileEnd > position) {
                int run = (int) (Math.min(fileEnd, end) - position);
                result.add(new FileSlice(file, position - fileOffsets[file], (int) (position - streamOffset), run,
                        padding[file]));
                position += run;
            }
            file++;
        }
        return result;
    }

    /** Index of the file that holds the byte at {@code streamOffset} (never an empty file). */
    int fileAt(long streamOffset) {
        // The last file whose start is <= offset and which is not empty.
        int i = Arrays.binarySearch(fileOffsets, 0, fileOffsets.length - 1, streamOffset);
        if (i < 0) return -i - 2;
        while (i + 1 < fileOffsets.length - 1 && fileOffsets[i + 1] == streamOffset) i++; // skip empty files
        return i;
    }

    /** Pieces that hold any byte of a file (empty for an empty file). */
    public int[] pieceRange(int file) {
        long start = fileOffsets[file];
        long end = fileOffsets[file + 1];
        if (end == start) return new int[] {0, 0};
        return new int[] {(int) (start / pieceLength), (int) ((end - 1) / pieceLength) + 1};
    }

    private void checkPiece(int piece) {
        if (piece < 0 || piece >= pieceCount) {
            throw new IndexOutOfBoundsException("piece " + piece + " of " + pieceCount);
        }
    }
}
