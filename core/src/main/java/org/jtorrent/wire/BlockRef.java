package org.jtorrent.wire;

/** A block named as on the wire: piece index, offset in the piece, length. Used as a map key. */
public record BlockRef(int piece, int begin, int length) {
}
