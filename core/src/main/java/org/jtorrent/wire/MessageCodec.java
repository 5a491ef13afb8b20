package org.jtorrent.wire;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.jtorrent.wire.Message.AllowedFast;
import org.jtorrent.wire.Message.Bitfield;
import org.jtorrent.wire.Message.Cancel;
import org.jtorrent.wire.Message.Choke;
import org.jtorrent.wire.Message.Extended;
import org.jtorrent.wire.Message.Have;
import org.jtorrent.wire.Message.HaveAll;
import org.jtorrent.wire.Message.HaveNone;
import org.jtorrent.wire.Message.Interested;
import org.jtorrent.wire.Message.KeepAlive;
import org.jtorrent.wire.Message.NotInterested;
import org.jtorrent.wire.Message.Piece;
import org.jtorrent.wire.Message.Port;
import org.jtorrent.wire.Message.RejectRequest;
import org.jtorrent.wire.Message.Request;
import org.jtorrent.wire.Message.SuggestPiece;
import org.jtorrent.wire.Message.Unchoke;
import org.jtorrent.wire.Message.Unknown;

/**
 * Length-prefixed messages of one torrent, both ways. The piece count is known, so every frame can
 * be bounded before a byte of it is allocated: a length prefix above {@link #maxFrameLength()}
 * (a 16 KiB block plus header, a full bitfield, or an extended message up to
 * {@link #MAX_EXTENDED_PAYLOAD}) closes the connection, and so does a known message longer or
 * shorter than its type allows ({@link #checkBodyLength}), before its body is read. Piece indices
 * are checked here too; block
 * offsets and lengths need the piece sizes and are checked by the connection against the layout.
 */
public final class MessageCodec {
    public static final int ID_CHOKE = 0, ID_UNCHOKE = 1, ID_INTERESTED = 2, ID_NOT_INTERESTED = 3, ID_HAVE = 4,
            ID_BITFIELD = 5, ID_REQUEST = 6, ID_PIECE = 7, ID_CANCEL = 8, ID_PORT = 9, ID_SUGGEST = 0x0D,
            ID_HAVE_ALL = 0x0E, ID_HAVE_NONE = 0x0F, ID_REJECT = 0x10, ID_ALLOWED_FAST = 0x11, ID_EXTENDED = 20;

    /** The largest block we send or accept: every client requests 16 KiB; libtorrent refuses more. */
    public static final int MAX_BLOCK = 16 * 1024;
    /** Extended messages (metadata pieces, PEX) stay well below this; libtorrent's limit is similar. */
    public static final int MAX_EXTENDED_PAYLOAD = 64 * 1024;

    private final int pieceCount;
    private final int bitfieldLength;
    private final int maxFrameLength;
    /** False before the metadata: the piece count is only a bound, a bitfield may be shorter. */
    private final boolean exact;

    public MessageCodec(int pieceCount) {
        this(pieceCount, true);
    }

    private MessageCodec(int pieceCount, boolean exact) {
        if (pieceCount <= 0) throw new IllegalArgumentException("piece count must be positive");
        this.pieceCount = pieceCount;
        this.exact = exact;
        this.bitfieldLength = (pieceCount + 7) / 8;
        this.maxFrameLength = Math.max(Math.max(1 + 8 + MAX_BLOCK, 1 + bitfieldLength), 2 + MAX_EXTENDED_PAYLOAD);
    }

    /**
     * The codec of a connection whose torrent has no metadata yet (a magnet link): the piece count
     * is unknown, so {@code maxPieceCount} (what the largest metadata we accept can describe) bounds
     * piece indices and bitfields instead, and a bitfield of any length up to that passes. The
     * connection checks what it kept against the real count ({@link #checkBitfield}) once it is known.
     */
    public static MessageCodec beforeMetadata(int maxPieceCount) {
        return new MessageCodec(maxPieceCount, false);
    }

    /** Whether the piece count is the torrent's (false: only a bound, before the metadata). */
    public boolean isExact() {
        return exact;
    }

    public int pieceCount() {
        return pieceCount;
    }

    /** The largest length prefix this torrent's connections accept. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    // ---- reading ----

    /**
     * Reads one frame. The length prefix is checked before anything is allocated; unknown message
     * ids are skipped without buffering their body.
     */
    public Message read(InputStream stream) throws IOException {
        DataInputStream in = stream instanceof DataInputStream d ? d : new DataInputStream(stream);
        int length = checkFrameLength(in.readInt());
        if (length == 0) return new KeepAlive();
        int id = in.readUnsignedByte();
        checkBodyLength(id, length - 1);
        if (id == ID_PIECE) {
            int piece = checkPiece(in.readInt());
            int begin = in.readInt();
            byte[] data = new byte[length - 9];
            in.readFully(data);
            return new Piece(piece, begin, data);
        }
        if (!isKnown(id)) {
            in.skipNBytes(length - 1);
            return new Unknown(id, length);
        }
        byte[] body = new byte[length - 1];
        in.readFully(body);
        return decodeBody(id, ByteBuffer.wrap(body));
    }

    /** Decodes one complete frame without its 4-byte length prefix (what tests and fuzzers feed). */
    public Message decode(ByteBuffer frame) throws ProtocolException {
        if (!frame.hasRemaining()) return new KeepAlive();
        if (frame.remaining() > maxFrameLength) throw new ProtocolException("frame of " + frame.remaining() + " bytes");
        int id = frame.get() & 0xff;
        checkBodyLength(id, frame.remaining());
        if (id == ID_PIECE) {
            int piece = checkPiece(frame.getInt());
            int begin = frame.getInt();
            byte[] data = new byte[frame.remaining()];
            frame.get(data);
            return new Piece(piece, begin, data);
        }
        if (!isKnown(id)) return new Unknown(id, 1 + frame.remaining());
        return decodeBody(id, frame);
    }

    static boolean isKnown(int id) {
        return id <= ID_PORT || (id >= ID_SUGGEST && id <= ID_ALLOWED_FAST) || id == ID_EXTENDED;
    }

    Message decodeBody(int id, ByteBuffer b) throws ProtocolException {
        return switch (id) {
            case ID_CHOKE -> empty(b, new Choke());
            case ID_UNCHOKE -> empty(b, new Message.Unchoke());
            case ID_INTERESTED -> empty(b, new Interested());
            case ID_NOT_INTERESTED -> empty(b, new NotInterested());
            case ID_HAVE_ALL -> empty(b, new HaveAll());
            case ID_HAVE_NONE -> empty(b, new HaveNone());
            case ID_HAVE -> new Have(checkPiece(int32(b, 4)));
            case ID_SUGGEST -> new SuggestPiece(checkPiece(int32(b, 4)));
            case ID_ALLOWED_FAST -> new AllowedFast(checkPiece(int32(b, 4)));
            case ID_BITFIELD -> bitfield(b);
            case ID_REQUEST -> {
                expect(b, 12);
                yield new Request(checkPiece(b.getInt()), b.getInt(), b.getInt());
            }
            case ID_CANCEL -> {
                expect(b, 12);
                yield new Cancel(checkPiece(b.getInt()), b.getInt(), b.getInt());
            }
            case ID_REJECT -> {
                expect(b, 12);
                yield new RejectRequest(checkPiece(b.getInt()), b.getInt(), b.getInt());
            }
            case ID_PORT -> {
                expect(b, 2);
                yield new Port(b.getShort() & 0xffff);
            }
            case ID_EXTENDED -> {
                if (b.remaining() < 1) throw new ProtocolException("extended message without id");
                int ext = b.get() & 0xff;
                byte[] payload = new byte[b.remaining()];
                b.get(payload);
                yield new Extended(ext, payload);
            }
            default -> throw new IllegalStateException("id " + id);
        };
    }

    private Bitfield bitfield(ByteBuffer b) throws ProtocolException {
        byte[] bits = new byte[b.remaining()];
        b.get(bits);
        if (exact) checkBitfield(bits, pieceCount);
        else if (bits.length > bitfieldLength) throw new ProtocolException("bitfield of " + bits.length + " bytes, limit " + bitfieldLength);
        return new Bitfield(bits);
    }

    /** Throws unless {@code bits} is exactly the bitfield of {@code pieceCount} pieces, spare bits clear. */
    public static void checkBitfield(byte[] bits, int pieceCount) throws ProtocolException {
        int length = (pieceCount + 7) / 8;
        if (bits.length != length) throw new ProtocolException("bitfield of " + bits.length + " bytes for " + pieceCount + " pieces");
        int spare = length * 8 - pieceCount;
        if (spare > 0 && (bits[length - 1] & ((1 << spare) - 1)) != 0) {
            throw new ProtocolException("bitfield has spare bits set");
        }
    }

    /** A frame's length prefix, if this torrent's connections accept it; checked before anything past it is read. */
    int checkFrameLength(int length) throws ProtocolException {
        if (length < 0 || length > maxFrameLength) {
            throw new ProtocolException("frame of " + Integer.toUnsignedString(length) + " bytes, limit " + maxFrameLength);
        }
        return length;
    }

    /**
     * Refuses a body the message's type cannot have, before a byte of it is read: a frame may be as
     * long as a bitfield, but a {@code have} is 4 bytes of body, a {@code request} 12, a block at most
     * 8 + {@link #MAX_BLOCK}, an extended message at most 1 + {@link #MAX_EXTENDED_PAYLOAD}. Unknown
     * ids are bounded by the frame limit only (they are skipped, never buffered).
     */
    void checkBodyLength(int id, int bodyLength) throws ProtocolException {
        int min, max;
        switch (id) {
            case ID_CHOKE, ID_UNCHOKE, ID_INTERESTED, ID_NOT_INTERESTED, ID_HAVE_ALL, ID_HAVE_NONE -> min = max = 0;
            case ID_HAVE, ID_SUGGEST, ID_ALLOWED_FAST -> min = max = 4;
            case ID_REQUEST, ID_CANCEL, ID_REJECT -> min = max = 12;
            case ID_PORT -> min = max = 2;
            case ID_BITFIELD -> {
                max = bitfieldLength;
                min = exact ? bitfieldLength : 1;
            }
            case ID_PIECE -> {
                if (bodyLength < 8 || bodyLength > 8 + MAX_BLOCK) throw new ProtocolException("piece message of " + (1 + bodyLength) + " bytes");
                return;
            }
            case ID_EXTENDED -> {
                min = 1;
                max = 1 + MAX_EXTENDED_PAYLOAD;
            }
            default -> {
                return;
            }
        }
        if (bodyLength < min || bodyLength > max) {
            throw new ProtocolException("message " + id + " with a body of " + bodyLength + " bytes, "
                    + (min == max ? "expected " + min : "allowed " + min + ".." + max));
        }
    }

    int checkPiece(int piece) throws ProtocolException {
        if (piece < 0 || piece >= pieceCount) throw new ProtocolException("piece " + piece + " out of range 0.." + (pieceCount - 1));
        return piece;
    }

    private static Message empty(ByteBuffer b, Message m) throws ProtocolException {
        expect(b, 0);
        return m;
    }

    private static int int32(ByteBuffer b, int length) throws ProtocolException {
        expect(b, length);
        return b.getInt();
    }

    private static void expect(ByteBuffer b, int length) throws ProtocolException {
        if (b.remaining() != length) throw new ProtocolException("message body of " + b.remaining() + " bytes, expected " + length);
    }

    // ---- writing ----

    /** Writes one frame; a piece's data goes straight from its array, without another copy. */
    public void write(Message message, OutputStream out) throws IOException {
        if (message instanceof Piece p) {
            ByteBuffer h = ByteBuffer.allocate(13).putInt(9 + p.data().length).put((byte) ID_PIECE)
                    .putInt(p.piece()).putInt(p.begin());
            out.write(h.array());
            out.write(p.data());
        } else {
            out.write(encode(message));
        }
    }

    /** The bytes {@link #encode} gives for this message, length prefix included, without encoding it. */
    public static int frameLength(Message message) {
        return 4 + switch (message) {
            case KeepAlive k -> 0;
            case Choke c -> 1;
            case Unchoke u -> 1;
            case Interested i -> 1;
            case NotInterested n -> 1;
            case HaveAll a -> 1;
            case HaveNone n -> 1;
            case Have h -> 5;
            case SuggestPiece s -> 5;
            case AllowedFast a -> 5;
            case Bitfield f -> 1 + f.bits().length;
            case Request r -> 13;
            case Cancel c -> 13;
            case RejectRequest r -> 13;
            case Piece p -> 9 + p.data().length;
            case Port p -> 3;
            case Extended e -> 2 + e.payload().length;
            case Unknown u -> u.length();
        };
    }

    /** The frame with its length prefix. */
    public byte[] encode(Message message) {
        return switch (message) {
            case KeepAlive k -> new byte[4];
            case Choke c -> simple(ID_CHOKE);
            case Unchoke u -> simple(ID_UNCHOKE);
            case Interested i -> simple(ID_INTERESTED);
            case NotInterested n -> simple(ID_NOT_INTERESTED);
            case HaveAll a -> simple(ID_HAVE_ALL);
            case HaveNone n -> simple(ID_HAVE_NONE);
            case Have h -> frame(ID_HAVE, 4).putInt(h.piece()).array();
            case SuggestPiece s -> frame(ID_SUGGEST, 4).putInt(s.piece()).array();
            case AllowedFast a -> frame(ID_ALLOWED_FAST, 4).putInt(a.piece()).array();
            case Bitfield f -> frame(ID_BITFIELD, f.bits().length).put(f.bits()).array();
            case Request r -> frame(ID_REQUEST, 12).putInt(r.piece()).putInt(r.begin()).putInt(r.length()).array();
            case Cancel c -> frame(ID_CANCEL, 12).putInt(c.piece()).putInt(c.begin()).putInt(c.length()).array();
            case RejectRequest r -> frame(ID_REJECT, 12).putInt(r.piece()).putInt(r.begin()).putInt(r.length()).array();
            case Piece p -> frame(ID_PIECE, 8 + p.data().length).putInt(p.piece()).putInt(p.begin()).put(p.data()).array();
            case Port p -> frame(ID_PORT, 2).putShort((short) p.port()).array();
            case Extended e -> frame(ID_EXTENDED, 1 + e.payload().length).put((byte) e.id()).put(e.payload()).array();
            case Unknown u -> throw new IllegalArgumentException("cannot send an unknown message");
        };
    }

    private static byte[] simple(int id) {
        return frame(id, 0).array();
    }

    private static ByteBuffer frame(int id, int bodyLength) {
        return ByteBuffer.allocate(5 + bodyLength).putInt(1 + bodyLength).put((byte) id);
    }

}
