package org.jtorrent.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtorrent.wire.Message.KeepAlive;
import org.jtorrent.wire.Message.Unknown;

/**
 * Reads one connection's frames into a direct buffer of its own and hands each block's payload over
 * in place: no array per block, no copy before the one into the piece it belongs to. The other
 * messages come out of {@link MessageCodec} as usual, with the same bounds (a length prefix is
 * checked before anything is read past it).
 *
 * <p>Why a channel and a direct buffer: a socket's stream reads into a heap array through a
 * temporary direct buffer of the JDK's, so every byte of a download was copied once more than the
 * kernel's own copy. Not thread-safe: one reader thread at a time per connection.
 *
 * <p>Two sizes of buffer, so that thousands of idle connections stay cheap: a small one of its own
 * (control messages, requests), and a large one, borrowed from a process-wide pool the first time a
 * frame does not fit the small one (a block) and kept until {@link #release} gives it back, which
 * the connection does when it goes quiet.
 */
public final class FrameReader {
    /** Room for a few 16 KiB blocks per read; a frame larger than this (a huge bitfield) gets an array of its own. */
    static final int BUFFER = 128 * 1024;
    /** The buffer of a connection that receives no blocks: requests, haves, small bitfields. */
    static final int SMALL_BUFFER = 4 * 1024;
    /** Large buffers kept for reuse once released; more are left to the collector. */
    private static final int POOL_CAP = 32;
    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    /**
     * Receives a block's payload: {@code length} bytes of {@code buffer} from {@code offset}
     * (absolute; the buffer's position and limit are the reader's). Valid only during the call:
     * copy it or lose it.
     */
    @FunctionalInterface
    public interface BlockSink {
        void block(int piece, int begin, ByteBuffer buffer, int offset, int length) throws IOException;
    }

    /** Replaced once when a magnet torrent's metadata arrives ({@link #codec(MessageCodec)}). */
    private volatile MessageCodec codec;
    private final ReadableByteChannel in;
    private final ByteBuffer small = ByteBuffer.allocateDirect(SMALL_BUFFER);
    private ByteBuffer buffer = small;
    private int position; // next unread byte
    private int limit;    // end of the bytes read

    public FrameReader(MessageCodec codec, ReadableByteChannel in) {
        this.codec = codec;
        this.in = in;
    }

    /**
     * Reads one frame. A block goes to {@code sink} and null is returned; any other message is
     * returned. Protocol violations throw {@link ProtocolException}, the end of the stream
     * {@link EOFException}.
     */
    /**
     * Checks frames from now on against {@code exact}: a connection that started before its torrent's
     * metadata (with a bounding codec) switches once the piece count is known. A frame being read
     * meanwhile finishes with the codec it began with.
     */
    public void codec(MessageCodec exact) {
        this.codec = exact;
    }

    public Message next(BlockSink sink) throws IOException {
        MessageCodec codec = this.codec;
        require(4);
        int length = codec.checkFrameLength(readInt());
        if (length == 0) return new KeepAlive();
        require(1);
        int id = buffer.get(position++) & 0xff;
        int bodyLength = length - 1;
        codec.checkBodyLength(id, bodyLength); // before the body is read: a "have" as long as a bitfield is refused at once
        if (id == MessageCodec.ID_PIECE) {
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
        if (bodyLength <= BUFFER) {
            require(bodyLength);
            ByteBuffer body = buffer.slice(position, bodyLength);
            position += bodyLength;
            return codec.decodeBody(id, body);
        }
        byte[] body = new byte[bodyLength]; // bounded by maxFrameLength, checked above
        int buffered = limit - position;
        buffer.get(position, body, 0, buffered);
        position = limit = 0;
        readFully(ByteBuffer.wrap(body, buffered, bodyLength - buffered));
        return codec.decodeBody(id, ByteBuffer.wrap(body));
    }

    /** Makes at least {@code count} (at most {@link #BUFFER}) unread bytes available. */
    private void require(int count) throws IOException {
        if (limit - position >= count) return;
        int capacity = buffer.capacity();
        if (count > capacity) {
            ByteBuffer large = lease();
            large.put(0, buffer, position, limit - position);
            buffer = large;
            limit -= position;
            position = 0;
            capacity = BUFFER;
        } else if (capacity - position < count || capacity - limit < capacity / 4) {
            // Short of room for the frame, or for a large read (fewer, larger reads): move the
            // unread bytes (less than one frame) to the front.
            buffer.put(0, buffer, position, limit - position);
            limit -= position;
            position = 0;
        }
        while (limit - position < count) limit += readSome(buffer.limit(capacity).position(limit));
    }

    /**
     * Gives the large buffer back to the pool if the unread bytes fit the small one; the next frame
     * that needs it borrows one again. For a connection that has gone quiet; no-op otherwise.
     */
    public void release() {
        if (buffer == small || limit - position > SMALL_BUFFER) return;
        ByteBuffer large = buffer;
        small.put(0, large, position, limit - position);
        limit -= position;
        position = 0;
        buffer = small;
        if (POOLED.incrementAndGet() <= POOL_CAP) {
            POOL.offer(large);
        } else {
            POOLED.decrementAndGet();
        }
    }

    /** Whether the large buffer is held (for tests). */
    boolean holdsLargeBuffer() {
        return buffer != small;
    }

    private static ByteBuffer lease() {
        ByteBuffer b = POOL.poll();
        if (b == null) return ByteBuffer.allocateDirect(BUFFER);
        POOLED.decrementAndGet();
        return b.clear();
    }

    private int readInt() {
        int value = buffer.getInt(position); // big-endian, the wire's order
        position += 4;
        return value;
    }

    private void skip(int count) throws IOException {
        int buffered = Math.min(count, limit - position);
        position += buffered;
        count -= buffered;
        if (count == 0) return;
        position = limit = 0; // all read: the rest goes through the buffer and is forgotten
        while (count > 0) count -= readSome(buffer.limit(Math.min(buffer.capacity(), count)).position(0));
    }

    private void readFully(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) readSome(into);
    }

    /** One read into {@code into}'s remaining room: at least a byte (the channel blocks), or the end. */
    private int readSome(ByteBuffer into) throws IOException {
        int n = in.read(into);
        if (n < 0) throw new EOFException("connection closed");
        return n;
    }
}
