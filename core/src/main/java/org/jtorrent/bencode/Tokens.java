package org.jtorrent.bencode;

/**
 * Layout of one token in a {@code long}: bits 0-31 the value's offset from the start of the decoded
 * range, bits 32-34 its type, bits 35-63 an auxiliary field (a string's header length, or for a list
 * or dictionary the distance to the token that follows it, so whole containers can be skipped).
 */
final class Tokens {
    static final int DICT = 0;
    static final int LIST = 1;
    static final int STRING = 2;
    static final int INT = 3;
    static final int END = 4;

    private Tokens() {
    }

    static long pack(int type, int offset, int aux) {
        return (offset & 0xFFFF_FFFFL) | (long) type << 32 | (long) aux << 35;
    }

    static long withAux(long token, int aux) {
        return (token & ((1L << 35) - 1)) | (long) aux << 35;
    }

    static int offset(long token) {
        return (int) token;
    }

    static int type(long token) {
        return (int) (token >>> 32) & 7;
    }

    static int aux(long token) {
        return (int) (token >>> 35);
    }
}
