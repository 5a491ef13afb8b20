package org.jtorrent.id;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 20-byte identifier, the shape BitTorrent uses for info-hashes and peer ids. Immutable: the
 * bytes are copied in and out.
 */
public abstract sealed class Id20 permits InfoHash, PeerId {
    public static final int LENGTH = 20;

    private final byte[] bytes;

    Id20(byte[] bytes, String what) {
        if (bytes.length != LENGTH) throw new IllegalArgumentException(what + " is 20 bytes, not " + bytes.length);
        this.bytes = bytes.clone();
    }

    public final byte[] bytes() {
        return bytes.clone();
    }

    /** Lower-case hex. */
    public final String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether {@code other[offset..offset+20)} holds these bytes, without copying. */
    public final boolean matches(byte[] other, int offset) {
        return Arrays.equals(bytes, 0, LENGTH, other, offset, offset + LENGTH);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((Id20) o).bytes);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
