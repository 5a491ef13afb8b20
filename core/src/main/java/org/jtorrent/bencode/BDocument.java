package org.jtorrent.bencode;

import java.nio.ByteBuffer;

/**
 * A decoded bencode value: the input bytes plus a flat array of tokens that index into them.
 *
 * <p>Nothing is copied out of the input, so the document keeps the input array alive and the input
 * must not be modified while the document is in use. Views ({@link BValue} and its subtypes) are
 * created on demand and are cheap.
 */
public final class BDocument {
    private final byte[] input;
    private final int base;
    private final int end;
    private final long[] tokens; // count tokens plus one sentinel whose offset is the end of the value
    private final int count;

    BDocument(byte[] input, int base, int end, long[] tokens, int count) {
        this.input = input;
        this.base = base;
        this.end = end;
        this.tokens = tokens;
        this.count = count;
    }

    /** The top-level value. */
    public BValue root() {
        return view(0);
    }

    /** Offset in the input array just past the top-level value (where trailing data would begin). */
    public int endOffset() {
        return end;
    }

    /** Number of tokens (values plus container ends): a measure of the document's size. */
    public int tokenCount() {
        return count;
    }

    // ---- token access for the views ---------------------------------------------------------

    BValue view(int index) {
        return switch (Tokens.type(tokens[index])) {
            case Tokens.DICT -> new BDict(this, index);
            case Tokens.LIST -> new BList(this, index);
            case Tokens.STRING -> new BString(this, index);
            case Tokens.INT -> new BInt(this, index);
            default -> throw new IllegalStateException("token " + index + " is not a value");
        };
    }

    int type(int index) {
        return Tokens.type(tokens[index]);
    }

    /** Index of the token after this value and everything inside it. */
    int next(int index) {
        long token = tokens[index];
        int type = Tokens.type(token);
        return type == Tokens.DICT || type == Tokens.LIST ? index + Tokens.aux(token) : index + 1;
    }

    /** Absolute offset in {@link #input} where the value starts. */
    int start(int index) {
        return base + Tokens.offset(tokens[index]);
    }

    /** Absolute offset in {@link #input} just past the value. */
    int endOf(int index) {
        return base + Tokens.offset(tokens[next(index)]);
    }

    int stringStart(int index) {
        return start(index) + Tokens.aux(tokens[index]);
    }

    byte[] input() {
        return input;
    }

    ByteBuffer slice(int from, int to) {
        return ByteBuffer.wrap(input, from, to - from).slice().asReadOnlyBuffer();
    }
}
