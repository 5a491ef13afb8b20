package org.jtorrent.metainfo;

import java.util.Arrays;
import java.util.List;

/**
 * The parts of the {@code info} dictionary that define the content (BEP 3): what the info-hash
 * names.
 *
 * @param name        the sanitised name: the file name of a single-file torrent, the top folder of
 *                    a multi-file one
 * @param multiFile   whether the torrent had a {@code files} list (its files live below {@code name})
 * @param files       all files in stream order, padding files included
 * @param pieceHashes the SHA-1 of every piece, 20 bytes each
 * @param isPrivate   BEP 27: peers only from the torrent's trackers
 */
public record InfoDict(String name, boolean multiFile, List<FileEntry> files, PieceLayout layout,
                       byte[] pieceHashes, boolean isPrivate) {

    public InfoDict {
        files = List.copyOf(files);
        if (pieceHashes.length != 20L * layout.pieceCount()) {
            throw new IllegalArgumentException("need 20 bytes of hash per piece");
        }
    }

    public long totalLength() {
        return layout.totalLength();
    }

    public int pieceLength() {
        return layout.pieceLength();
    }

    public int pieceCount() {
        return layout.pieceCount();
    }

    /** Whether {@code digest} is the expected SHA-1 of the piece. */
    public boolean hashMatches(int piece, byte[] digest) {
        layout.pieceOffset(piece);
        return Arrays.equals(pieceHashes, piece * 20, piece * 20 + 20, digest, 0, digest.length);
    }

    /** Bytes a downloader has to fetch: padding files are never transferred as data worth counting. */
    public long payloadLength() {
        long sum = 0;
        for (FileEntry f : files) if (!f.isPadding()) sum += f.length();
        return sum;
    }
}
