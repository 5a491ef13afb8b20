package org.jtorrent.bencode;

/**
 * Entry point for bencode (BEP 3): decoding into a {@link BDocument}, encoding with {@link Encoder}.
 */
public final class Bencode {
    private Bencode() {
    }

    /** Decodes exactly one value that fills the whole input; trailing bytes are an error. */
    public static BDocument decode(byte[] input) {
        return decode(input, BencodeLimits.DEFAULT);
    }

    public static BDocument decode(byte[] input, BencodeLimits limits) {
        BDocument doc = new Decoder(input, 0, input.length, limits).decodeFirstValue();
        if (doc.endOffset() != input.length) {
            throw new BencodeException((input.length - doc.endOffset()) + " bytes after the top-level value",
                    doc.endOffset());
        }
        return doc;
    }

    /**
     * Decodes the value at the front of a range and says where it ended ({@link BDocument#endOffset()}),
     * leaving what follows to the caller: BEP 9 sends a dictionary followed by raw bytes.
     */
    public static BDocument decodePrefix(byte[] input, int offset, int length, BencodeLimits limits) {
        return new Decoder(input, offset, length, limits).decodeFirstValue();
    }

    public static BDocument decodePrefix(byte[] input) {
        return decodePrefix(input, 0, input.length, BencodeLimits.DEFAULT);
    }

    /** Canonical bencode of a value tree; see {@link Encoder} for the accepted Java types. */
    public static byte[] encode(Object value) {
        return new Encoder().write(value).toByteArray();
    }
}
