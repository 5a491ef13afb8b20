package org.jtorrent.metainfo;

/**
 * Chooses a piece length for a new torrent when the user gives none.
 *
 * <p>The rule is libtorrent's: about {@code 10 * sqrt(total size)}, rounded up to a power of two,
 * which keeps both the piece count and the piece size near the square root of the total (a 1 GiB
 * torrent gets 512 KiB pieces and 2048 hashes). We clamp to 16 KiB .. 16 MiB: smaller pieces are
 * below one request, larger ones hold too much unverified data in flight. {@code docs/metainfo.md}
 * compares the result with what mktorrent, libtorrent and Transmission pick.
 */
public final class PieceLengths {
    public static final int MIN = 16 * 1024;
    public static final int MAX = 16 * 1024 * 1024;

    private PieceLengths() {
    }

    public static int forTotalSize(long totalSize) {
        if (totalSize < 0) throw new IllegalArgumentException("negative size");
        double target = Math.sqrt((double) totalSize) * 10;
        int length = MIN;
        while (length < MAX && length < target) length <<= 1;
        return length;
    }

    /** Whether a user-given piece length is usable: a power of two, at least 16 KiB, at most 512 MiB. */
    public static boolean isValid(long pieceLength) {
        return pieceLength >= MIN && pieceLength <= 512L * 1024 * 1024 && Long.bitCount(pieceLength) == 1;
    }
}
