package org.jtorrent.id;

import java.util.Arrays;
import java.util.HexFormat;

/** The 20-byte SHA-1 of a torrent's bencoded {@code info} dictionary (BEP 3), which names the torrent. */
public final class InfoHash {
    public static final int LENGTH = 20;

    private final byte[] bytes;

    private InfoHash(byte[] bytes) {
        this.bytes = bytes;
    }

    public static InfoHash of(byte[] bytes) {
        if (bytes.length != LENGTH) throw new IllegalArgumentException("an info-hash is 20 bytes, not " + bytes.length);
        return new InfoHash(bytes.clone());
    }

    /** Parses 40 hex digits, either case. */
    public static InfoHash fromHex(String hex) {
        if (hex.length() != 2 * LENGTH) throw new IllegalArgumentException("an info-hash is 40 hex digits: " + hex);
        return new InfoHash(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lower-case hex, as in magnet links and tracker whitelists. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InfoHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
