package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.wire.Message.KeepAlive;
import org.jtorrent.wire.Message.Piece;
import org.jtorrent.wire.Message.Unknown;

/**
 * Fuzz targets of the peer wire parsers (docs/fuzzing.md): the frames after the handshake, read
 * three ways (the connection's {@link FrameReader}, {@link MessageCodec#read} and
 * {@link MessageCodec#decode} of each frame) that must agree; the BEP 3 handshake; and the BEP 10
 * extension handshake. Only {@link ProtocolException} (and {@link EOFException} at the end of a
 * stream) may come out; every decoded message encodes back to exactly its frame.
 */
class WireFuzzTest {

    /** What one decoder made of one frame: a message (as its encoding), or the exception it threw. */
    private record Outcome(byte[] encoded, Class<? extends Exception> failure) {
        static Outcome of(MessageCodec codec, Message m) {
            return new Outcome(m instanceof Unknown u ? unknownFrame(u) : codec.encode(m), null);
        }

        boolean sameAs(Outcome other) {
            return Arrays.equals(encoded, other.encoded) && failure == other.failure;
        }

        @Override
        public String toString() {
            return failure != null ? failure.getSimpleName() : Arrays.toString(encoded);
        }
    }

    /** An unknown message has no encoding; stands for it: its length prefix and id. */
    private static byte[] unknownFrame(Unknown u) {
        return ByteBuffer.allocate(5).putInt(u.length()).put((byte) u.id()).array();
    }

    /**
     * Input: two bytes of piece count (1..65536), one byte of read size (the channel hands the
     * frame reader at most 1..256 bytes per read, as a socket may), then the stream of frames.
     */
    @FuzzTest(maxDuration = "60s")
    void frames(byte[] input) throws IOException {
        if (input.length < 3) return;
        int pieceCount = 1 + ((input[0] & 0xff) << 8 | input[1] & 0xff);
        int readSize = 1 + (input[2] & 0xff);
        byte[] stream = Arrays.copyOfRange(input, 3, input.length);
        MessageCodec codec = new MessageCodec(pieceCount);

        // Each decoder allocates at most its input plus one frame it was promised (the length prefix is
        // checked before the body is allocated), plus per-message objects and an exception's trace.
        long limit = 64L * stream.length + 2L * codec.maxFrameLength() + 64 * 1024;
        List<Outcome> byReader = FuzzChecks.boundedAllocation(limit, "FrameReader", () -> readWithFrameReader(codec, stream, readSize));
        List<Outcome> byStream = FuzzChecks.boundedAllocation(limit, "MessageCodec.read", () -> readWithCodec(codec, stream));
        List<Outcome> byFrame = decodeEachFrame(codec, stream);

        // Every complete frame gets the same verdict from all three; the last, cut-short frame may end
        // in either exception (which check runs first differs), but only those two.
        int complete = byFrame.size() - (byFrame.isEmpty() || byFrame.getLast().failure != EOFException.class ? 0 : 1);
        for (int i = 0; i < Math.max(byReader.size(), byStream.size()); i++) {
            Outcome reader = i < byReader.size() ? byReader.get(i) : null;
            Outcome viaStream = i < byStream.size() ? byStream.get(i) : null;
            if (i < complete) {
                assertThat(reader).as("frame %d by FrameReader", i).isNotNull();
                assertThat(viaStream).as("frame %d by MessageCodec.read", i).isNotNull();
                assertThat(reader.sameAs(byFrame.get(i))).as("frame %d: FrameReader %s, decode %s", i, reader, byFrame.get(i)).isTrue();
                assertThat(viaStream.sameAs(byFrame.get(i))).as("frame %d: read %s, decode %s", i, viaStream, byFrame.get(i)).isTrue();
            } else {
                for (Outcome o : new Outcome[] {reader, viaStream}) {
                    if (o != null) assertThat(o.failure).as("frame %d after the stream's last complete frame", i).isNotNull();
                }
            }
        }
        // Decoding stops at the first failure, and every decoded message is exactly its frame's bytes.
        for (List<Outcome> outcomes : List.of(byReader, byStream, byFrame)) {
            for (int i = 0; i < outcomes.size() - 1; i++) assertThat(outcomes.get(i).failure).isNull();
        }
        int at = 0;
        for (Outcome o : byFrame) {
            if (o.failure != null) break;
            int length = ByteBuffer.wrap(stream, at, 4).getInt();
            byte[] frame = Arrays.copyOfRange(stream, at, at + 4 + length);
            if (o.encoded.length == 5 && frame.length > 5 && !MessageCodec.isKnown(frame[4] & 0xff)) {
                assertThat(o.encoded).isEqualTo(Arrays.copyOf(frame, 5)); // an unknown message, skipped
            } else {
                assertThat(o.encoded).as("re-encoded frame at %d", at).isEqualTo(frame);
            }
            at += 4 + length;
        }
    }

    /** One message off a stream, or the exception that ends it. */
    @FunctionalInterface
    private interface NextMessage {
        Message next() throws IOException;
    }

    /** Messages until the stream ends or breaks the protocol; any other exception is a finding. */
    private static List<Outcome> readAll(MessageCodec codec, NextMessage stream) {
        List<Outcome> out = new ArrayList<>();
        while (true) {
            try {
                out.add(Outcome.of(codec, stream.next()));
            } catch (ProtocolException | EOFException e) {
                out.add(new Outcome(null, e.getClass()));
                return out;
            } catch (IOException e) {
                throw new AssertionError("only ProtocolException or EOFException may come out", e);
            }
        }
    }

    private static List<Outcome> readWithFrameReader(MessageCodec codec, byte[] stream, int readSize) {
        FrameReader reader = new FrameReader(codec, new Trickle(stream, readSize));
        return readAll(codec, () -> {
            Piece[] block = new Piece[1];
            Message m = reader.next((piece, begin, buffer, offset, length) -> {
                byte[] data = new byte[length];
                buffer.get(offset, data);
                block[0] = new Piece(piece, begin, data);
            });
            return m != null ? m : block[0];
        });
    }

    private static List<Outcome> readWithCodec(MessageCodec codec, byte[] stream) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream));
        return readAll(codec, () -> codec.read(in));
    }

    /** Splits the stream by its length prefixes and decodes each frame whole; a frame cut short is an EOF. */
    private static List<Outcome> decodeEachFrame(MessageCodec codec, byte[] stream) {
        List<Outcome> out = new ArrayList<>();
        int at = 0;
        while (true) {
            if (stream.length - at < 4) {
                out.add(new Outcome(null, EOFException.class));
                return out;
            }
            int length = ByteBuffer.wrap(stream, at, 4).getInt();
            try {
                codec.checkFrameLength(length);
                if (stream.length - at - 4 < length) {
                    out.add(new Outcome(null, EOFException.class));
                    return out;
                }
                Message m = codec.decode(ByteBuffer.wrap(stream, at + 4, length).slice());
                out.add(Outcome.of(codec, m));
                if (m instanceof KeepAlive) assertThat(length).isZero();
            } catch (ProtocolException e) {
                out.add(new Outcome(null, ProtocolException.class));
                return out;
            }
            at += 4 + length;
        }
    }

    /** A channel over bytes that hands out at most {@code readSize} bytes per read. */
    private static final class Trickle implements ReadableByteChannel {
        private final ByteBuffer bytes;
        private final int readSize;

        Trickle(byte[] bytes, int readSize) {
            this.bytes = ByteBuffer.wrap(bytes);
            this.readSize = readSize;
        }

        @Override
        public int read(ByteBuffer into) {
            if (!bytes.hasRemaining()) return -1;
            int n = Math.min(Math.min(readSize, into.remaining()), bytes.remaining());
            into.put(bytes.slice(bytes.position(), n));
            bytes.position(bytes.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /**
     * The handshake, read from a stream as a connection does and decoded whole: both agree, a stream
     * that does not start with 19 is refused after its first byte, and a good handshake encodes back
     * to its bytes with only the reserved bits we use kept.
     */
    @FuzzTest(maxDuration = "60s")
    void handshake(byte[] input) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        Handshake read;
        try {
            read = Handshake.read(in);
        } catch (ProtocolException | EOFException e) {
            if (input.length > 0 && input[0] != 19) assertThat(in.available()).isEqualTo(input.length - 1);
            if (input.length >= Handshake.LENGTH) assertDecodeRefuses(Arrays.copyOf(input, Handshake.LENGTH));
            return;
        }
        assertThat(in.available()).isEqualTo(input.length - Handshake.LENGTH);
        byte[] first = Arrays.copyOf(input, Handshake.LENGTH);
        assertThat(Handshake.decode(first)).isEqualTo(read);
        byte[] expected = first.clone();
        for (int i = 20; i < 28; i++) expected[i] = 0;
        expected[25] = (byte) (first[25] & 0x10);
        expected[27] = (byte) (first[27] & 0x04);
        assertThat(read.encode()).isEqualTo(expected);
        if (input.length != Handshake.LENGTH) assertDecodeRefuses(input);
    }

    private static void assertDecodeRefuses(byte[] bytes) {
        try {
            Handshake.decode(bytes);
            throw new AssertionError("decode accepted what read refused");
        } catch (ProtocolException expected) {
            // both refuse
        }
    }

    /**
     * The BEP 10 handshake: only {@link ProtocolException}; the fields within their bounds; and a
     * decoded handshake encodes to one that decodes the same.
     */
    @FuzzTest(maxDuration = "60s")
    void extensionHandshake(byte[] payload) throws ProtocolException {
        ExtensionHandshake decoded;
        try {
            decoded = FuzzChecks.boundedAllocation(200L * payload.length + 64 * 1024, "ExtensionHandshake.decode",
                    () -> ExtensionHandshake.decode(payload));
        } catch (ProtocolException e) {
            return;
        }
        assertThat(decoded.reqq()).isBetween(1, 100_000);
        assertThat(decoded.listenPort()).isBetween(0, 65535);
        assertThat(decoded.extensions()).hasSizeLessThanOrEqualTo(payload.length / 4);
        decoded.extensions().values().forEach(id -> assertThat(id).isBetween(0, 255));
        assertThat(decoded.metadataSize()).isNotNegative();
        assertThat(ExtensionHandshake.decode(decoded.encode())).isEqualTo(decoded);
    }

    /**
     * A {@code ut_metadata} message (BEP 9), straight from a peer: only {@link ProtocolException};
     * a piece index that is not negative, a data block of at most 16 KiB with a positive total size;
     * and a decoded message encodes to one that decodes the same.
     */
    @FuzzTest(maxDuration = "60s")
    void metadataMessage(byte[] payload) throws ProtocolException {
        java.util.Optional<MetadataMessage> decoded;
        try {
            decoded = FuzzChecks.boundedAllocation(200L * payload.length + 64 * 1024, "MetadataMessage.decode",
                    () -> MetadataMessage.decode(payload));
        } catch (ProtocolException e) {
            return;
        }
        if (decoded.isEmpty()) return; // a message type BEP 9 says to ignore
        MetadataMessage m = decoded.get();
        assertThat(m.piece()).isNotNegative();
        MetadataMessage again = MetadataMessage.decode(m.encode()).orElseThrow();
        if (m instanceof MetadataMessage.Data d) {
            assertThat(d.data().length).isLessThanOrEqualTo(MetadataMessage.BLOCK);
            assertThat(d.totalSize()).isPositive();
            MetadataMessage.Data back = (MetadataMessage.Data) again;
            assertThat(back.piece()).isEqualTo(d.piece());
            assertThat(back.totalSize()).isEqualTo(d.totalSize());
            assertThat(back.data()).isEqualTo(d.data());
        } else {
            assertThat(again).isEqualTo(m);
        }
    }
}
