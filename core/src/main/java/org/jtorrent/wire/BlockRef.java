package org.jtorrent.wire;

/**
 * A block named as on the wire: piece index, offset in the piece, length. The one name for a block
 * from the piece picker to the request on the wire and back; used as a map key.
 */
public record BlockRef(int piece, int begin, int length) {

    // A record's generated equals and hashCode are bootstrapped through invokedynamic
    // (ObjectMethods): on first use in every run that spins a dozen method-handle classes, and the
    // reader's block path, which looks blocks up on each arrival, inlines the handle tree into its
    // compile. Written out, they are plain int compares.

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockRef b && piece == b.piece && begin == b.begin && length == b.length;
    }

    @Override
    public int hashCode() {
        return (piece * 31 + begin) * 31 + length;
    }
}
