package org.jtorrent.bencode;

import java.util.Arrays;

/**
 * One iterative pass over the input that produces a flat token array (libtorrent's {@code bdecode}
 * is the model): no tree of small objects, no recursion, nothing copied out of the input.
 *
 * <p>Everything a value needs later is checked here once (syntax, integer range, string bounds), so
 * that the views on top can read values without re-validating them.
 *
 * <p>Speed: the main loop keeps its state (position, token array, count, innermost container) in
 * locals, takes the common shape of each value on a fast path, and hands anything unusual to the
 * careful checkers ({@link #checkString}, {@link #checkInteger}), which either accept it or throw
 * the precise error. A fast path may be conservative (the integer one sends 19-digit values to the
 * checker) but never accepts what a checker would reject.
 */
final class Decoder {
    /** Smallest token array: covers most messages on the wire without growing. */
    private static final int MIN_TOKENS = 64;

    // Bits of an open-container entry besides its token index (index << 2).
    private static final int DICT_BIT = 2; // the container is a dictionary
    private static final int KEY_BIT = 1;  // its next item must be a key (only set for dictionaries)

    private final byte[] buf;
    private final int start;
    private final int end;
    private final BencodeLimits limits;

    Decoder(byte[] buf, int offset, int length, BencodeLimits limits) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + buf.length);
        }
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        this.limits = limits;
    }

    /** Decodes the first value of the range; bytes after it are left to the caller. */
    BDocument decodeFirstValue() {
        final byte[] buf = this.buf;
        final int end = this.end;
        final int start = this.start;
        final int maxDepth = limits.maxDepth();

        long[] tokens = new long[initialCapacity(end - start)];
        int room = Math.min(tokens.length, limits.maxTokens()); // tokens we may write before the next check
        int count = 0;
        // Entries of the open containers outside the innermost one; the innermost is kept in `top`,
        // so that the dictionary key/value alternation needs no array access.
        int[] outer = new int[Math.min(maxDepth, 32)];
        int top = 0; // innermost open container: token index << 2 | DICT_BIT | KEY_BIT; 0 at depth 0
        int depth = 0;
        int pos = start;
        do {
            if (pos >= end) {
                throw error(depth == 0 ? "empty input" : "unexpected end of input inside a "
                        + ((top & DICT_BIT) != 0 ? "dictionary" : "list"), pos);
            }
            byte b = buf[pos];
            if ((top & KEY_BIT) != 0 && b != 'e' && (b < '0' || b > '9')) {
                throw error("dictionary key is not a string", pos);
            }
            if (b >= '0' && b <= '9') {
                // String: "<length>:<bytes>". Fast path for a canonical length that fits the input.
                int p = pos + 1;
                long length = b - '0';
                byte c = 0;
                while (p < end && (c = buf[p]) >= '0' && c <= '9' && length <= Integer.MAX_VALUE) {
                    length = length * 10 + (c - '0');
                    p++;
                }
                if (c != ':' || p >= end || (b == '0' && p != pos + 1) || length > end - (p + 1)) {
                    checkString(pos); // throws: the fast path turns away only invalid strings
                    throw new AssertionError("string at " + pos + " rejected by the fast path only");
                }
                int next = p + 1 + (int) length;
                if (count >= room) {
                    tokens = makeRoom(tokens, count, pos);
                    room = Math.min(tokens.length, limits.maxTokens());
                }
                tokens[count++] = Tokens.pack(Tokens.STRING, pos - start, p + 1 - pos);
                pos = next;
            } else if (b == 'e') {
                if (depth == 0) throw error("unexpected 'e'", pos);
                if ((top & (DICT_BIT | KEY_BIT)) == DICT_BIT) throw error("dictionary key without a value", pos);
                if (count >= room) {
                    tokens = makeRoom(tokens, count, pos);
                    room = Math.min(tokens.length, limits.maxTokens());
                }
                tokens[count++] = Tokens.pack(Tokens.END, pos - start, 0);
                int open = top >>> 2;
                tokens[open] = Tokens.withAux(tokens[open], count - open); // lets views skip the container
                pos++;
                top = --depth > 0 ? outer[depth - 1] : 0;
            } else if (b == 'i') {
                int p = pos + 1;
                boolean negative = p < end && buf[p] == '-';
                if (negative) p++;
                int digitsStart = p;
                while (p < end && buf[p] >= '0' && buf[p] <= '9') p++;
                int digits = p - digitsStart;
                // Up to 18 digits always fit in a long; longer ones (and every error) take the careful path.
                int next = p < end && buf[p] == 'e' && digits > 0 && digits <= 18
                        && (buf[digitsStart] != '0' || (digits == 1 && !negative)) ? p + 1 : checkInteger(pos);
                if (count >= room) {
                    tokens = makeRoom(tokens, count, pos);
                    room = Math.min(tokens.length, limits.maxTokens());
                }
                tokens[count++] = Tokens.pack(Tokens.INT, pos - start, 0);
                pos = next;
            } else if (b == 'd' || b == 'l') {
                if (depth == maxDepth) throw error("nesting deeper than " + maxDepth, pos);
                if (count >= room) {
                    tokens = makeRoom(tokens, count, pos);
                    room = Math.min(tokens.length, limits.maxTokens());
                }
                if (depth > 0) {
                    if (depth > outer.length) outer = Arrays.copyOf(outer, Math.min(maxDepth, outer.length * 2));
                    outer[depth - 1] = top;
                }
                boolean dict = b == 'd';
                tokens[count] = Tokens.pack(dict ? Tokens.DICT : Tokens.LIST, pos - start, 0);
                top = count << 2 | (dict ? DICT_BIT | KEY_BIT : 0);
                count++;
                depth++;
                pos++;
                continue; // a container is complete only at its 'e'
            } else {
                throw error("unexpected byte 0x" + Integer.toHexString(b & 0xff), pos);
            }
            // A value (or a key) completed: in a dictionary, flip between key and value.
            top ^= (top & DICT_BIT) >>> 1;
        } while (depth > 0);

        // The sentinel marks where the last value ends, so every value's span is
        // [offset(i), offset(next(i))) without a special case. It is not a token of the document
        // and does not count against the limit.
        int used = count + 1;
        if (tokens.length < used || tokens.length - used > Math.max(MIN_TOKENS, used >>> 2)) {
            tokens = Arrays.copyOf(tokens, used); // trimmed: slack stays under a quarter of what is used
        }
        tokens[count] = Tokens.pack(Tokens.END, pos - start, 0);
        return new BDocument(buf, start, pos, tokens, count);
    }

    /**
     * A first guess of the token count: one token per 8 input bytes, the density of the densest
     * realistic input (a tracker reply of dictionary peers has one per 8.4 bytes), so that it
     * decodes without growing the array: growing copies it and touches fresh memory twice, which is
     * slow on machines that pay for first-touch pages. Sparser inputs (a torrent, whose pieces string
     * is one token) leave slack that {@link #decodeFirstValue} trims. Never more than the input can
     * hold: one token per byte, plus the sentinel.
     */
    private static int initialCapacity(int length) {
        return (int) Math.min(Math.max(MIN_TOKENS, length >>> 3), length + 1L);
    }

    /**
     * Grows the token array when it is full, or throws if the token limit is reached. The new size
     * extrapolates the token density seen so far over the rest of the input (plus an eighth), so a
     * large input grows about once; it grows at least by half, and never beyond the input's own
     * bound of one token per byte.
     */
    private long[] makeRoom(long[] tokens, int count, int pos) {
        if (count >= limits.maxTokens()) {
            throw error("more than " + limits.maxTokens() + " values", pos);
        }
        long consumed = Math.max(1, pos - start);
        long extrapolated = count + (long) count * (end - pos) / consumed;
        long wanted = Math.max(count + (count >>> 1), extrapolated + (extrapolated >>> 3));
        long bound = Math.min((long) end - start + 1, (long) BencodeLimits.TOKEN_CAPACITY + 1);
        return Arrays.copyOf(tokens, (int) Math.max(count + 1, Math.min(wanted, bound)));
    }

    /** Checks a string at {@code pos} (a digit) and returns the offset after it, or throws the precise error. */
    private int checkString(int pos) {
        int p = pos;
        long length = 0;
        if (buf[p] == '0' && p + 1 < end && buf[p + 1] != ':') {
            throw error("leading zero in string length", p);
        }
        while (p < end) {
            byte c = buf[p];
            if (c == ':') break;
            if (c < '0' || c > '9') throw error("unexpected byte 0x" + Integer.toHexString(c & 0xff) + " in string length", p);
            length = length * 10 + (c - '0');
            if (length > end) { // cannot fit whatever the digits that follow
                throw error("string length runs past the end of the input", pos);
            }
            p++;
        }
        if (p >= end) throw error("unexpected end of input in string length", pos);
        p++; // ':'
        if (length > end - p) {
            throw error("string length " + length + " runs past the end of the input (" + (end - p) + " bytes left)", pos);
        }
        return p + (int) length;
    }

    /** Checks an integer at {@code pos} (an 'i') and returns the offset after it, or throws the precise error. */
    private int checkInteger(int pos) {
        int p = pos + 1;
        boolean negative = p < end && buf[p] == '-';
        if (negative) p++;
        int digitsStart = p;
        long value = 0;
        while (p < end && buf[p] >= '0' && buf[p] <= '9') {
            int digit = buf[p] - '0';
            // Accumulate negatively so that Long.MIN_VALUE fits.
            if (value < (Long.MIN_VALUE + digit) / 10) throw error("integer does not fit in 64 bits", pos);
            value = value * 10 - digit;
            p++;
        }
        if (p >= end) throw error("unexpected end of input in integer", pos);
        if (buf[p] != 'e') throw error("unexpected byte 0x" + Integer.toHexString(buf[p] & 0xff) + " in integer", p);
        int digits = p - digitsStart;
        if (digits == 0) throw error("integer without digits", pos);
        if (digits > 1 && buf[digitsStart] == '0') throw error("leading zero in integer", pos);
        if (negative && value == 0) throw error("negative zero", pos);
        if (!negative && value == Long.MIN_VALUE) throw error("integer does not fit in 64 bits", pos);
        return p + 1;
    }

    private BencodeException error(String problem, int pos) {
        return new BencodeException(problem, pos - start);
    }
}
