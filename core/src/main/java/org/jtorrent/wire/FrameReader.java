package org.jtorrent.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.jtorrent.wire.Message.KeepAlive;
import org.jtorrent.wire.Message.Unknown;

/**
 * Reads one connection's frames into a buffer of its own and hands each block's payload over in
 * place: no array per block, no copy before the one into the piece it belongs to. The other
 * messages come out of {@link MessageCodec} as usual, with the same bounds (a length prefix is
 * checked before anything is read past it).
 *
 * <p>Reads ask for all the free room in the buffer, which is larger than the stream buffer that
 * served the handshake, so a {@link java.io.BufferedInputStream} beneath passes them straight
 * through. Not thread-safe: one reader thread per connection.
 */
public final class FrameReader {
    /** Room for a few 16 KiB blocks per read; a frame larger than this (a huge bitfield) gets an array of its own. */
    static final int BUFFER = 128 * 1024;
    /** Reads ask for at least this much room; the handshake's stream buffer must be smaller. */
    static final int MIN_READ = 32 * 1024;

    /** Receives a block's payload, valid only during the call: copy it or lose it. */
    @FunctionalInterface
    public interface BlockSink {
        void block(int piece, int begin, byte[] array, int offset, int length) throws IOException;
    }

    private final MessageCodec codec;
    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private int position; // next unread byte
    private int limit;    // end of the bytes read

    public FrameReader(MessageCodec codec, InputStream in) {
        this.codec = codec;
        this.in = in;
    }

    /**
     * Reads one frame. A block goes to {@code sink} and null is returned; any other message is
     * returned. Protocol violations throw {@link ProtocolException}, the end of the stream
     * {@link EOFException}.
     */
    public Message next(BlockSink sink) throws IOException {
        require(4);
        int length = codec.checkFrameLength(readInt());
        if (length == 0) return new KeepAlive();
        require(1);
        int id = buffer[position++] & 0xff;
        int bodyLength = length - 1;
        if (id == MessageCodec.ID_PIECE) {
            if (length < 9 || bodyLength - 8 > MessageCodec.MAX_BLOCK) throw new ProtocolException("piece message of " + length + " bytes");
            require(bodyLength);
            int piece = codec.checkPiece(readInt());
            int begin = readInt();
            int dataLength = bodyLength - 8;
            int at = position;
            position += dataLength; // consumed even if the sink throws: the frame is over either way
            sink.block(piece, begin, buffer, at, dataLength);
            return null;
        }
        if (!MessageCodec.isKnown(id)) {
            skip(bodyLength);
            return new Unknown(id, length);
        }
        if (bodyLength <= buffer.length) {
            require(bodyLength);
            ByteBuffer body = ByteBuffer.wrap(buffer, position, bodyLength).slice();
            position += bodyLength;
            return codec.decodeBody(id, body);
        }
        byte[] body = new byte[bodyLength]; // bounded by maxFrameLength, checked above
        int buffered = limit - position;
        System.arraycopy(buffer, position, body, 0, buffered);
        position = limit;
        readFully(body, buffered, bodyLength - buffered);
        return codec.decodeBody(id, ByteBuffer.wrap(body));
    }

    /** Makes at least {@code count} (at most the buffer's size) unread bytes available. */
    private void require(int count) throws IOException {
        if (limit - position >= count) return;
        // Short of room for the frame, or for a read large enough to bypass the stream's own buffer:
        // move the unread bytes (less than one frame) to the front.
        if (buffer.length - position < count || buffer.length - limit < MIN_READ) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        while (limit - position < count) {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) throw new EOFException("connection closed");
            limit += n;
        }
    }

    private int readInt() {
        int value = (buffer[position] & 0xff) << 24 | (buffer[position + 1] & 0xff) << 16
                | (buffer[position + 2] & 0xff) << 8 | (buffer[position + 3] & 0xff);
        position += 4;
        return value;
    }

    private void skip(int count) throws IOException {
        int buffered = Math.min(count, limit - position);
        position += buffered;
        if (count > buffered) in.skipNBytes(count - buffered);
    }

    private void readFully(byte[] into, int offset, int count) throws IOException {
        for (int end = offset + count; offset < end; ) {
            int n = in.read(into, offset, end - offset);
            if (n < 0) throw new EOFException("connection closed");
            offset += n;
        }
    }
}
