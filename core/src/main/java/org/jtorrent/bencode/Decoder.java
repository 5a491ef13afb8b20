package org.jtorrent.bencode;

import java.util.Arrays;

/**
 * One iterative pass over the input that produces a flat token array (libtorrent's {@code bdecode}
 * is the model): no tree of small objects, no recursion, nothing copied out of the input.
 *
 * <p>Everything a value needs later is checked here once (syntax, integer range, string bounds), so
 * that the views on top can read values without re-validating them.
 */
final class Decoder {
    private static final int INITIAL_TOKENS = 64;

    private final byte[] buf;
    private final int start;
    private final int end;
    private final BencodeLimits limits;

    private long[] tokens = new long[INITIAL_TOKENS];
    private int count;

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
        // Open containers: token index << 1 | 1 when the next item of that dictionary must be a key.
        int[] stack = new int[Math.min(limits.maxDepth(), 32)];
        int depth = 0;
        int pos = start;
        do {
            if (pos >= end) {
                throw error(depth == 0 ? "empty input" : "unexpected end of input inside a "
                        + (Tokens.type(tokens[stack[depth - 1] >>> 1]) == Tokens.DICT ? "dictionary" : "list"), pos);
            }
            byte b = buf[pos];
            boolean expectingKey = depth > 0 && (stack[depth - 1] & 1) != 0;
            if (expectingKey && b != 'e' && (b < '0' || b > '9')) {
                throw error("dictionary key is not a string", pos);
            }
            switch (b) {
                case 'd', 'l' -> {
                    if (depth == limits.maxDepth()) {
                        throw error("nesting deeper than " + limits.maxDepth(), pos);
                    }
                    if (depth == stack.length) {
                        stack = Arrays.copyOf(stack, Math.min(limits.maxDepth(), stack.length * 2));
                    }
                    int index = add(b == 'd' ? Tokens.DICT : Tokens.LIST, pos, 0, pos);
                    stack[depth++] = index << 1 | (b == 'd' ? 1 : 0);
                    pos++;
                    continue; // a container is complete only at its 'e'
                }
                case 'e' -> {
                    if (depth == 0) throw error("unexpected 'e'", pos);
                    int open = stack[depth - 1] >>> 1;
                    if (Tokens.type(tokens[open]) == Tokens.DICT && (stack[depth - 1] & 1) == 0) {
                        throw error("dictionary key without a value", pos);
                    }
                    add(Tokens.END, pos, 0, pos);
                    tokens[open] = Tokens.withAux(tokens[open], count - open);
                    depth--;
                    pos++;
                }
                case 'i' -> {
                    int tokenStart = pos;
                    pos = skipInteger(pos);
                    add(Tokens.INT, tokenStart, 0, tokenStart);
                }
                default -> {
                    if (b < '0' || b > '9') {
                        throw error("unexpected byte 0x" + Integer.toHexString(b & 0xff), pos);
                    }
                    int tokenStart = pos;
                    pos = skipString(pos);
                    add(Tokens.STRING, tokenStart, headerLength, tokenStart);
                }
            }
            if (depth > 0) {
                // A value (or a key) completed inside a dictionary: flip between key and value.
                int top = stack[depth - 1];
                if (Tokens.type(tokens[top >>> 1]) == Tokens.DICT) stack[depth - 1] = top ^ 1;
            }
        } while (depth > 0);
        // The sentinel marks where the last value ends, so every value's span is
        // [offset(i), offset(next(i))) without a special case.
        add(Tokens.END, pos, 0, pos);
        count--; // the sentinel is not a token of the document
        long[] trimmed = tokens.length - (count + 1) > (count >>> 3) ? Arrays.copyOf(tokens, count + 1) : tokens;
        return new BDocument(buf, start, pos, trimmed, count);
    }

    private int headerLength;

    private int skipString(int pos) {
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
        headerLength = p - pos;
        return p + (int) length;
    }

    private int skipInteger(int pos) {
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

    private int add(int type, int offset, int aux, int errorOffset) {
        if (count == limits.maxTokens()) {
            throw error("more than " + limits.maxTokens() + " values", errorOffset);
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, (int) Math.min((long) tokens.length * 2, (long) BencodeLimits.TOKEN_CAPACITY + 1));
        }
        tokens[count] = Tokens.pack(type, offset - start, aux);
        return count++;
    }

    private BencodeException error(String problem, int pos) {
        return new BencodeException(problem, pos - start);
    }
}
