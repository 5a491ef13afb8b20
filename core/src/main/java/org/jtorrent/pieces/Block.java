package org.jtorrent.pieces;

/** A block of a piece: offset and length inside the piece. */
public record Block(int piece, int begin, int length) {
}
