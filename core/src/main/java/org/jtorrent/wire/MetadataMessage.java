package org.jtorrent.wire;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.bencode.BencodeLimits;

/**
 * A {@code ut_metadata} message (BEP 9): a bencoded dictionary, and after a data message's
 * dictionary the block of the info dictionary it carries. Blocks are 16 KiB, the last one shorter.
 */
public sealed interface MetadataMessage {
    /** The extension's name in the {@code m} dictionary. */
    String NAME = "ut_metadata";
    /** Every block but the last is this long. */
    int BLOCK = 16 * 1024;
    /**
     * The largest info dictionary we fetch: libtorrent's {@code max_metadata_size} (30 MiB in
     * 2.0.8). A peer that says its metadata is larger is not asked for it.
     */
    long MAX_SIZE = 30L * 1024 * 1024;

    int piece();

    byte[] encode();

    record Request(int piece) implements MetadataMessage {
        @Override
        public byte[] encode() {
            return header(0, piece, -1);
        }
    }

    /** One block of the info dictionary, whose whole length is {@code totalSize}. */
    record Data(int piece, long totalSize, byte[] data) implements MetadataMessage {
        public Data {
            if (data.length > BLOCK) throw new IllegalArgumentException("a metadata block is at most 16 KiB");
        }

        @Override
        public byte[] encode() {
            byte[] header = header(1, piece, totalSize);
            byte[] frame = new byte[header.length + data.length];
            System.arraycopy(header, 0, frame, 0, header.length);
            System.arraycopy(data, 0, frame, header.length, data.length);
            return frame;
        }
    }

    /** The peer will not send this block (it has no metadata yet, or limits what it serves). */
    record Reject(int piece) implements MetadataMessage {
        @Override
        public byte[] encode() {
            return header(2, piece, -1);
        }
    }

    /** How many blocks an info dictionary of {@code totalSize} bytes has. */
    static int blockCount(long totalSize) {
        return (int) ((totalSize + BLOCK - 1) / BLOCK);
    }

    private static byte[] header(int type, int piece, long totalSize) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("msg_type", (long) type);
        dict.put("piece", (long) piece);
        if (totalSize >= 0) dict.put("total_size", totalSize);
        return Bencode.encode(dict);
    }

    /**
     * Decodes a message's payload. Empty for a {@code msg_type} we do not know, which BEP 9 says to
     * ignore; a malformed message (not a dictionary, a missing or negative field, a data block over
     * 16 KiB or without {@code total_size}) throws.
     */
    static Optional<MetadataMessage> decode(byte[] payload) throws ProtocolException {
        BDocument doc;
        try {
            doc = Bencode.decodePrefix(payload, 0, payload.length, new BencodeLimits(4, 64));
        } catch (BencodeException e) {
            throw new ProtocolException("ut_metadata message is not bencoded: " + e.getMessage());
        }
        if (!(doc.root() instanceof BDict dict)) throw new ProtocolException("ut_metadata message is not a dictionary");
        long type = intField(dict, "msg_type");
        long piece = intField(dict, "piece");
        if (piece < 0 || piece > Integer.MAX_VALUE) throw new ProtocolException("ut_metadata piece " + piece + " out of range");
        int rest = payload.length - doc.endOffset();
        return switch ((int) Math.min(type, 3)) {
            case 0 -> Optional.of(new Request((int) piece));
            case 1 -> {
                long total = intField(dict, "total_size");
                if (total <= 0) throw new ProtocolException("ut_metadata total_size " + total);
                if (rest > BLOCK) throw new ProtocolException("ut_metadata block of " + rest + " bytes");
                byte[] data = new byte[rest];
                System.arraycopy(payload, doc.endOffset(), data, 0, rest);
                yield Optional.of(new Data((int) piece, total, data));
            }
            case 2 -> Optional.of(new Reject((int) piece));
            default -> Optional.empty();
        };
    }

    private static long intField(BDict dict, String key) throws ProtocolException {
        Optional<BValue> v = dict.get(key);
        if (v.isEmpty() || !(v.get() instanceof BInt i)) throw new ProtocolException("ut_metadata message without " + key);
        return i.value();
    }
}
