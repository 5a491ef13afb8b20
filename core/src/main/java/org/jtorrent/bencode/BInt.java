package org.jtorrent.bencode;

/** A bencoded integer; the decoder has already checked that it fits in a {@code long}. */
public record BInt(BDocument document, int index) implements BValue {

    public long value() {
        byte[] in = document.input();
        int p = document.start(index) + 1;
        boolean negative = in[p] == '-';
        if (negative) p++;
        long v = 0;
        for (byte c; (c = in[p]) != 'e'; p++) {
            v = v * 10 - (c - '0'); // negative accumulation, so Long.MIN_VALUE fits
        }
        return negative ? v : -v;
    }

    @Override
    public String kind() {
        return "integer";
    }

    @Override
    public String toString() {
        return Long.toString(value());
    }
}
