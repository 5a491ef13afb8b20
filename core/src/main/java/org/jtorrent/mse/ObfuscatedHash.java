package org.jtorrent.mse;

import java.util.Arrays;
import java.util.HexFormat;
import org.jtorrent.id.InfoHash;

/**
 * HASH('req2', SKEY): how an MSE initiator names the torrent it wants without saying its info-hash.
 * The responder recovers it from the handshake and looks it up among the torrents it serves.
 */
public final class ObfuscatedHash {
    private final byte[] bytes;

    private ObfuscatedHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The obfuscated form of {@code infoHash}, as a responder keeps it for routing. */
    public static ObfuscatedHash of(InfoHash infoHash) {
        return new ObfuscatedHash(MseHashes.sha1(MseHashes.REQ2, infoHash.bytes()));
    }

    static ObfuscatedHash wrap(byte[] twentyBytes) {
        return new ObfuscatedHash(twentyBytes.clone());
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObfuscatedHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
