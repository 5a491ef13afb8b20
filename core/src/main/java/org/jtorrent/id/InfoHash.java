package org.jtorrent.id;

import java.util.HexFormat;

/** The 20-byte SHA-1 of a torrent's bencoded {@code info} dictionary (BEP 3), which names the torrent. */
public final class InfoHash extends Id20 {

    private InfoHash(byte[] bytes) {
        super(bytes, "an info-hash");
    }

    public static InfoHash of(byte[] bytes) {
        return new InfoHash(bytes);
    }

    /** Parses 40 hex digits, either case. */
    public static InfoHash fromHex(String hex) {
        if (hex.length() != 2 * LENGTH) throw new IllegalArgumentException("an info-hash is 40 hex digits: " + hex);
        return new InfoHash(HexFormat.of().parseHex(hex));
    }

    @Override
    public String toString() {
        return hex();
    }
}
