package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jtorrent.wire.Message.*;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    private static final int PIECES = 100_000; // a 12,500-byte bitfield
    private final MessageCodec codec = new MessageCodec(PIECES);

    /** What a reader produced: messages, and blocks as Piece messages (copied out of the buffer). */
    private static List<Message> readAll(MessageCodec codec, InputStream in) throws IOException {
        FrameReader reader = new FrameReader(codec, Channels.newChannel(in));
        List<Message> out = new ArrayList<>();
        while (true) {
            Message m;
            try {
                m = reader.next((piece, begin, buffer, offset, length) -> out.add(new Piece(piece, begin, copy(buffer, offset, length))));
            } catch (EOFException e) {
                return out;
            }
            if (m != null) out.add(m);
        }
    }

    private static byte[] copy(ByteBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    /** Hands out the bytes in small random pieces, as a socket might. */
    private static InputStream trickle(byte[] bytes, long seed) {
        Random random = new Random(seed);
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(3000)));
            }
        };
    }

    private List<Message> stream(Random random) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] block = new byte[random.nextBoolean() ? 16_384 : 1 + random.nextInt(16_384)];
            random.nextBytes(block);
            messages.add(switch (random.nextInt(6)) {
                case 0 -> new Have(random.nextInt(PIECES));
                case 1 -> new Request(random.nextInt(PIECES), 16_384, 16_384);
                case 2 -> new KeepAlive();
                case 3 -> new Extended(1, Arrays.copyOf(block, 100));
                default -> new Piece(random.nextInt(PIECES), random.nextInt(64) * 16_384, block);
            });
        }
        byte[] bits = new byte[(PIECES + 7) / 8];
        bits[0] = (byte) 0x80;
        messages.add(50, new Bitfield(bits)); // larger than nothing, smaller than the buffer
        return messages;
    }

    private byte[] encode(List<Message> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Message m : messages) out.writeBytes(codec.encode(m));
        return out.toByteArray();
    }

    private static void assertSameMessages(List<Message> actual, List<Message> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            // Records with arrays compare by identity: compare their encodings instead.
            assertThat(new MessageCodec(PIECES).encode(actual.get(i))).as("message " + i)
                    .isEqualTo(new MessageCodec(PIECES).encode(expected.get(i)));
        }
    }

    @Property(tries = 30)
    void anyChunkingGivesTheSameMessagesAsTheCodec(@ForAll @IntRange(min = 0, max = 1_000_000) int seed) throws IOException {
        List<Message> messages = stream(new Random(seed));
        assertSameMessages(readAll(codec, trickle(encode(messages), seed)), messages);
    }

    /**
     * An idle connection gives its large buffer back ({@link FrameReader#release}) and borrows one
     * again for the next block: releasing between any two messages, with unread bytes of the next
     * ones in the buffer or not, changes nothing in what is read.
     */
    @Property(tries = 30)
    void releasingTheLargeBufferBetweenMessagesChangesNothing(@ForAll @IntRange(min = 0, max = 1_000_000) int seed) throws IOException {
        List<Message> messages = stream(new Random(seed));
        // available() 0, as on a socket that has nothing more yet: the channel adapter then stops at
        // what one read gave, so the buffer often holds only whole frames and may be released.
        InputStream socketLike = new java.io.FilterInputStream(trickle(encode(messages), seed)) {
            @Override
            public int available() {
                return 0;
            }
        };
        FrameReader reader = new FrameReader(codec, Channels.newChannel(socketLike));
        Random releases = new Random(seed);
        List<Message> read = new ArrayList<>();
        boolean grew = false;
        boolean released = false;
        while (read.size() < messages.size()) {
            Message m = reader.next((piece, begin, buffer, offset, length) -> read.add(new Piece(piece, begin, copy(buffer, offset, length))));
            if (m != null) read.add(m);
            grew |= reader.holdsLargeBuffer();
            if (releases.nextInt(3) == 0) {
                reader.release();
                released |= !reader.holdsLargeBuffer();
            }
        }
        assertSameMessages(read, messages);
        assertThat(grew).as("blocks need the large buffer").isTrue();
        assertThat(released).isTrue();
    }

    @Test
    void aConnectionWithoutBlocksNeverTakesTheLargeBuffer() throws IOException {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 2000; i++) messages.add(i % 2 == 0 ? new Request(i, 0, 16_384) : new Have(i));
        FrameReader reader = new FrameReader(codec, Channels.newChannel(new ByteArrayInputStream(encode(messages))));
        for (Message expected : messages) {
            assertThat(reader.next((piece, begin, buffer, offset, length) -> { })).isEqualTo(expected);
            assertThat(reader.holdsLargeBuffer()).isFalse();
        }
    }

    /** What a reader made of a stream: its messages (comparable), then how it ended. */
    private record Outcome(List<String> messages, Class<? extends IOException> end) {
    }

    private static String comparable(MessageCodec codec, Message m) {
        // Records with arrays compare by identity: compare encodings (Unknown has none).
        return m instanceof Unknown ? m.toString() : HexFormat.of().formatHex(codec.encode(m));
    }

    private Outcome frameReaderOutcome(byte[] input) {
        FrameReader reader = new FrameReader(codec, Channels.newChannel(new ByteArrayInputStream(input)));
        List<String> out = new ArrayList<>();
        try {
            while (true) {
                Message m = reader.next((piece, begin, buffer, offset, length) ->
                        out.add(comparable(codec, new Piece(piece, begin, copy(buffer, offset, length)))));
                if (m != null) out.add(comparable(codec, m));
            }
        } catch (IOException e) {
            return new Outcome(out, e.getClass());
        }
    }

    private Outcome codecOutcome(byte[] input) {
        InputStream in = new ByteArrayInputStream(input);
        List<String> out = new ArrayList<>();
        try {
            while (true) out.add(comparable(codec, codec.read(in)));
        } catch (IOException e) {
            return new Outcome(out, e.getClass());
        }
    }

    /** Frame-shaped garbage: small length prefixes, every id, bodies that may not match the length. */
    @Provide
    Arbitrary<byte[]> garbageFrames() {
        Arbitrary<byte[]> frame = Combinators.combine(
                Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 21),
                // Bodies of tiny bytes too: piece indexes and lengths in range, so frames get past those checks.
                Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                        Arbitraries.bytes().between((byte) 0, (byte) 2).array(byte[].class).ofMaxSize(40)))
                .as((length, id, body) -> ByteBuffer.allocate(5 + body.length).putInt(length).put((byte) (int) id).put(body).array());
        return frame.list().ofMaxSize(10).map(frames -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            frames.forEach(all::writeBytes);
            return all.toByteArray();
        });
    }

    /**
     * Hostile input, differentially: the connections' reader makes of any garbage what the plain
     * codec makes of it (the same messages, then the same kind of error), and never anything else.
     * One difference is by design: the reader waits for a whole frame before judging it, where the
     * codec judges fields as they come, so on a truncated bad frame the reader sees the end first.
     */
    @Property(tries = 2000)
    void onGarbageItSaysWhatTheCodecSays(@ForAll("garbageFrames") byte[] input) {
        Outcome reader = frameReaderOutcome(input);
        Outcome plain = codecOutcome(input);
        assertThat(reader.messages()).isEqualTo(plain.messages());
        if (reader.end() != plain.end()) {
            assertThat(List.of(reader.end(), plain.end())).containsExactly(EOFException.class, ProtocolException.class);
        }
    }

    @Test
    void aWholeStreamAtOnceToo() throws IOException {
        List<Message> messages = stream(new Random(1));
        assertSameMessages(readAll(codec, new ByteArrayInputStream(encode(messages))), messages);
    }

    @Test
    void framesLargerThanTheBufferGetAnArrayOfTheirOwnOrAreSkipped() throws IOException {
        MessageCodec huge = new MessageCodec(2_000_000); // a 250,000-byte bitfield, twice the buffer
        byte[] bits = new byte[250_000];
        bits[249_999] = (byte) 0x80;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(huge.encode(new Bitfield(bits)));
        out.writeBytes(ByteBuffer.allocate(5 + 60_000).putInt(1 + 60_000).put((byte) 99).array()); // unknown id, skipped
        out.writeBytes(huge.encode(new Have(7)));
        List<Message> read = readAll(huge, trickle(out.toByteArray(), 3));
        assertThat(read).hasSize(3);
        assertThat(((Bitfield) read.get(0)).bits()).isEqualTo(bits);
        assertThat(read.get(1)).isEqualTo(new Unknown(99, 60_001));
        assertThat(read.get(2)).isEqualTo(new Have(7));
    }

    @Test
    void hostileFramesCloseTheConnection() {
        byte[] tooBig = ByteBuffer.allocate(13).putInt(9 + 16_385).put((byte) 7).putInt(0).putInt(0).array();
        assertThatThrownBy(() -> readAll(codec, new ByteArrayInputStream(tooBig)))
                .isInstanceOf(ProtocolException.class).hasMessage("piece message of 16394 bytes");
        byte[] badIndex = codec.encode(new Piece(0, 0, new byte[10]));
        ByteBuffer.wrap(badIndex).putInt(5, PIECES);
        assertThatThrownBy(() -> readAll(codec, new ByteArrayInputStream(badIndex)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("out of range");
        byte[] hugePrefix = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 7};
        assertThatThrownBy(() -> readAll(codec, new ByteArrayInputStream(hugePrefix)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("2147483647");
    }

    /**
     * A frame may be as long as this torrent's bitfield (here 125,000 bytes), but no other known
     * message may: each type has its own length, checked at the header, before its body is waited
     * for or read. Only the 5-byte header is sent: a reader that waited for the body would see the
     * end of the stream instead of refusing.
     */
    @Test
    void eachKnownMessageHasItsOwnLengthLimitCheckedAtTheHeader() throws ProtocolException {
        MessageCodec big = new MessageCodec(1_000_000);
        int bitfieldFrame = 1 + 125_000;
        Object[][] cases = {
                {MessageCodec.ID_HAVE, 6, "message 4 with a body of 5 bytes, expected 4"},
                {MessageCodec.ID_HAVE, bitfieldFrame, "message 4 with a body of 125000 bytes, expected 4"},
                {MessageCodec.ID_REQUEST, 14, "message 6 with a body of 13 bytes, expected 12"},
                {MessageCodec.ID_CHOKE, 2, "message 0 with a body of 1 bytes, expected 0"},
                {MessageCodec.ID_PORT, 1000, "message 9 with a body of 999 bytes, expected 2"},
                {MessageCodec.ID_BITFIELD, 1000, "message 5 with a body of 999 bytes, expected 125000"},
                {MessageCodec.ID_EXTENDED, 2 + MessageCodec.MAX_EXTENDED_PAYLOAD + 1,
                        "message 20 with a body of 65538 bytes, allowed 1..65537"},
                {MessageCodec.ID_EXTENDED, bitfieldFrame, "message 20 with a body of 125000 bytes, allowed 1..65537"},
        };
        for (Object[] c : cases) {
            byte[] header = ByteBuffer.allocate(5).putInt((Integer) c[1]).put((byte) (int) (Integer) c[0]).array();
            assertThatThrownBy(() -> readAll(big, new ByteArrayInputStream(header))).as("reader, id " + c[0] + " length " + c[1])
                    .isInstanceOf(ProtocolException.class).hasMessage((String) c[2]);
            assertThatThrownBy(() -> big.read(new ByteArrayInputStream(header))).as("codec, id " + c[0] + " length " + c[1])
                    .isInstanceOf(ProtocolException.class).hasMessage((String) c[2]);
        }
        // The largest extended message still passes, and so does a bitfield of the full length.
        byte[] largest = big.encode(new Extended(3, new byte[MessageCodec.MAX_EXTENDED_PAYLOAD]));
        assertThat(big.decode(ByteBuffer.wrap(largest, 4, largest.length - 4))).isInstanceOf(Extended.class);
    }

    @Test
    void theEndOfTheStreamMidFrameIsAnEndOfFile() {
        byte[] frame = codec.encode(new Piece(1, 0, new byte[16_384]));
        FrameReader reader = new FrameReader(codec, Channels.newChannel(new ByteArrayInputStream(Arrays.copyOf(frame, 1000))));
        assertThatThrownBy(() -> reader.next((p, b, a, o, l) -> { })).isInstanceOf(EOFException.class);
    }
}
