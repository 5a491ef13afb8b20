package org.jtorrent.bencode;

/**
 * Input that is not valid bencode, or that exceeds a decoder limit.
 *
 * <p>The message names the problem and the byte offset, so that it can be shown to a user as is.
 */
public final class BencodeException extends RuntimeException {
    private final long offset;

    public BencodeException(String problem, long offset) {
        super("invalid bencode at byte " + offset + ": " + problem);
        this.offset = offset;
    }

    /** Offset of the offending byte, counted from the start of the decoded range. */
    public long offset() {
        return offset;
    }
}
