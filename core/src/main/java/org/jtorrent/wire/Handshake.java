package org.jtorrent.wire;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;

/**
 * The BEP 3 handshake: {@code 19 "BitTorrent protocol" reserved[8] info_hash[20] peer_id[20]}.
 *
 * @param fast      reserved bit 0x04 of byte 7: the Fast extension (BEP 6)
 * @param extension reserved bit 0x10 of byte 5: the extension protocol (BEP 10)
 */
public record Handshake(InfoHash infoHash, PeerId peerId, boolean fast, boolean extension) {
    public static final int LENGTH = 68;
    private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put((byte) PROTOCOL.length).put(PROTOCOL);
        byte[] reserved = new byte[8];
        if (extension) reserved[5] |= 0x10;
        if (fast) reserved[7] |= 0x04;
        b.put(reserved).put(infoHash.bytes()).put(peerId.bytes());
        return b.array();
    }

    /**
     * Reads the first 48 bytes (up to the info-hash) and then the peer id. The first byte is read
     * alone: anything but 19 means an encrypted (MSE) or foreign stream, which we refuse before
     * waiting for more bytes that may never come.
     */
    public static Handshake read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int first = data.read();
        if (first < 0) throw new ProtocolException("connection closed before the handshake");
        if (first != PROTOCOL.length) throw new ProtocolException("not a BitTorrent handshake (first byte " + first + ")");
        byte[] rest = new byte[LENGTH - 1];
        data.readFully(rest);
        return decodeAfterLength(rest);
    }

    /** Decodes a complete 68-byte handshake. */
    public static Handshake decode(byte[] bytes) throws ProtocolException {
        if (bytes.length != LENGTH) throw new ProtocolException("handshake is " + bytes.length + " bytes, not 68");
        if (bytes[0] != PROTOCOL.length) throw new ProtocolException("not a BitTorrent handshake (first byte " + (bytes[0] & 0xff) + ")");
        return decodeAfterLength(Arrays.copyOfRange(bytes, 1, LENGTH));
    }

    private static Handshake decodeAfterLength(byte[] rest) throws ProtocolException {
        if (!Arrays.equals(rest, 0, PROTOCOL.length, PROTOCOL, 0, PROTOCOL.length)) {
            throw new ProtocolException("not a BitTorrent handshake (protocol string)");
        }
        int r = PROTOCOL.length;
        boolean extension = (rest[r + 5] & 0x10) != 0;
        boolean fast = (rest[r + 7] & 0x04) != 0;
        InfoHash hash = InfoHash.of(Arrays.copyOfRange(rest, r + 8, r + 28));
        PeerId id = PeerId.of(Arrays.copyOfRange(rest, r + 28, r + 48));
        return new Handshake(hash, id, fast, extension);
    }

    /** Throws unless the peer's handshake names the torrent we serve. */
    public void requireInfoHash(InfoHash expected) throws ProtocolException {
        if (!infoHash.equals(expected)) throw new ProtocolException("wrong info-hash " + infoHash.hex());
    }
}
