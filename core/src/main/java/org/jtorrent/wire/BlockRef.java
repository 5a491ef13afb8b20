package org.jtorrent.wire;

/**
 * A block named as on the wire: piece index, offset in the piece, length. The one name for a block
 * from the piece picker to the request on the wire and back; used as a map key.
 */
public record BlockRef(int piece, int begin, int length) {
}
