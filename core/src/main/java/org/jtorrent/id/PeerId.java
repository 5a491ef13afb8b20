package org.jtorrent.id;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A 20-byte peer id. Ours follow BEP 20's Azureus style: {@code -JT0001-} and 12 random bytes, so
 * other clients and trackers can tell which client and version they talk to.
 */
public final class PeerId extends Id20 {
    /** Client code {@code JT}, version 0.0.0.1. */
    public static final String CLIENT_PREFIX = "-JT0001-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private PeerId(byte[] bytes) {
        super(bytes, "a peer id");
    }

    public static PeerId of(byte[] bytes) {
        return new PeerId(bytes);
    }

    /** A fresh id for this run: the client prefix, then random bytes. */
    public static PeerId random() {
        byte[] id = new byte[LENGTH];
        byte[] prefix = CLIENT_PREFIX.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, id, 0, prefix.length);
        byte[] tail = new byte[LENGTH - prefix.length];
        RANDOM.nextBytes(tail);
        System.arraycopy(tail, 0, id, prefix.length, tail.length);
        return new PeerId(id);
    }

    /** Printable characters as they are, the rest as {@code %XX}: how clients usually show ids. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes()) {
            if (b >= 0x20 && b < 0x7f && b != '%') sb.append((char) b);
            else sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return sb.toString();
    }
}
