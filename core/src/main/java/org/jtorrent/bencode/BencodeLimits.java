package org.jtorrent.bencode;

/**
 * Hard limits applied while decoding, so that no input can make the decoder recurse, loop or
 * allocate out of proportion to its size.
 *
 * <p>String lengths need no limit of their own: a string may never claim more bytes than are left
 * in the input. The token count is what bounds memory: each token takes 8 bytes, and there is at
 * most one token per input byte.
 *
 * @param maxDepth  deepest nesting of lists and dictionaries (libtorrent's default is 100)
 * @param maxTokens most values (plus container ends) in one document
 */
public record BencodeLimits(int maxDepth, int maxTokens) {
    /** The largest token count the flat token layout can address. */
    public static final int TOKEN_CAPACITY = (1 << 29) - 1;

    /** Suits .torrent files and tracker replies, including a million-peer reply. */
    public static final BencodeLimits DEFAULT = new BencodeLimits(100, TOKEN_CAPACITY);

    public BencodeLimits {
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth must be at least 1");
        if (maxTokens < 1 || maxTokens > TOKEN_CAPACITY) {
            throw new IllegalArgumentException("maxTokens must be in 1.." + TOKEN_CAPACITY);
        }
    }
}
