package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.wire.Message.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec(21); // 3 bitfield bytes, 3 spare bits

    static List<Message> everyMessage() {
        return List.of(new KeepAlive(), new Choke(), new Unchoke(), new Interested(), new NotInterested(),
                new Have(20), new Bitfield(new byte[] {(byte) 0xff, 0x01, (byte) 0xf8}), new Request(3, 16384, 16384),
                new Piece(4, 32768, new byte[] {1, 2, 3}), new Cancel(5, 0, 100), new Port(6881), new HaveAll(),
                new HaveNone(), new RejectRequest(7, 16384, 5), new AllowedFast(8), new SuggestPiece(9),
                new Extended(3, new byte[] {'d', 'e'}));
    }

    @ParameterizedTest
    @MethodSource("everyMessage")
    void roundTripsThroughStreamAndBuffer(Message m) throws IOException {
        byte[] frame = codec.encode(m);
        assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(frame.length - 4);
        assertSame(codec.read(new ByteArrayInputStream(frame)), m);
        assertSame(codec.decode(ByteBuffer.wrap(frame, 4, frame.length - 4)), m);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.write(m, out);
        assertThat(out.toByteArray()).isEqualTo(frame);
        assertThat(MessageCodec.frameLength(m)).as("what the outbound queue counts").isEqualTo(frame.length);
    }

    @Test
    void wireBytesMatchBep3() {
        assertThat(hex(codec.encode(new Request(1, 2, 16384)))).isEqualTo("0000000d06000000010000000200004000");
        assertThat(hex(codec.encode(new Have(20)))).isEqualTo("000000050400000014");
        assertThat(hex(codec.encode(new HaveAll()))).isEqualTo("000000010e");
        assertThat(hex(codec.encode(new RejectRequest(1, 0, 1)))).isEqualTo("0000000d10000000010000000000000001");
        assertThat(hex(codec.encode(new Port(6881)))).isEqualTo("00000003091ae1");
        assertThat(hex(codec.encode(new KeepAlive()))).isEqualTo("00000000");
    }

    @Test
    void twoGibLengthPrefixClosesBeforeAllocating() {
        byte[] frame = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, ID(7)};
        CountingStream in = new CountingStream(frame);
        assertThatThrownBy(() -> codec.read(in)).isInstanceOf(ProtocolException.class).hasMessageContaining("2147483647");
        assertThat(in.consumed.get()).as("nothing past the prefix is read").isEqualTo(4);
        byte[] negative = {(byte) 0x80, 0, 0, 0};
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(negative))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void limitIsABlockPlusHeaderForSmallTorrentsAndGrowsWithTheBitfield() throws IOException {
        assertThat(codec.maxFrameLength()).isEqualTo(2 + MessageCodec.MAX_EXTENDED_PAYLOAD);
        MessageCodec huge = new MessageCodec(8 * 1024 * 1024);
        assertThat(huge.maxFrameLength()).isEqualTo(1 + 1024 * 1024);
        byte[] tooBig = ByteBuffer.allocate(4).putInt(codec.maxFrameLength() + 1).array();
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(tooBig))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void spareBitfieldBitsAreRejected() {
        byte[] frame = codec.encode(new Bitfield(new byte[] {0, 0, 0x04})); // bit of piece 21: does not exist
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("spare");
    }

    @Test
    void bitfieldOfWrongLengthIsRejected() {
        byte[] frame = codec.encode(new Bitfield(new byte[] {0, 0}));
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void outOfRangePieceIndicesAreRejected() {
        for (Message m : List.of(new Have(21), new Have(-1), new Request(21, 0, 1), new Piece(99, 0, new byte[1]),
                new AllowedFast(21), new SuggestPiece(1000), new RejectRequest(21, 0, 1), new Cancel(-5, 0, 1))) {
            byte[] frame = codec.encode(m);
            assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame))).as(m.toString())
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("out of range");
        }
    }

    @Test
    void fixedSizeMessagesOfTheWrongSizeAreRejected() {
        // choke with a body, have with 2 bytes, request with 11 bytes, port with 1 byte, extended without id
        for (String hex : List.of("0000000200ff", "000000030400ff", "0000000c060000000000000000000000",
                "000000020900", "0000000114")) {
            byte[] frame = HexFormat.of().parseHex(hex);
            assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame))).as(hex)
                    .isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void unknownIdsAreSkippedAndTheStreamStaysInStep() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(HexFormat.of().parseHex("00000004" + "63" + "aabbcc")); // id 99, 3 body bytes
        out.write(codec.encode(new Have(2)));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(codec.read(in)).isEqualTo(new Unknown(99, 4));
        assertThat(codec.read(in)).isEqualTo(new Have(2));
    }

    @Test
    void truncatedFrameIsAnError() {
        byte[] frame = Arrays.copyOf(codec.encode(new Request(1, 0, 16384)), 10);
        assertThatThrownBy(() -> codec.read(new ByteArrayInputStream(frame))).isInstanceOf(IOException.class);
    }

    @Test
    void extensionHandshakeRoundTripsAndDefaultsReqq() throws ProtocolException {
        ExtensionHandshake ours = new ExtensionHandshake(Optional.of("jtorrent 0.1"), 500, 6881, Map.of("ut_pex", 1));
        assertThat(ExtensionHandshake.decode(ours.encode())).isEqualTo(ours);
        ExtensionHandshake bare = ExtensionHandshake.decode("d1:md11:ut_metadatai3eee".getBytes());
        assertThat(bare.reqq()).isEqualTo(250);
        assertThat(bare.extensions()).containsEntry("ut_metadata", 3);
        assertThat(bare.client()).isEmpty();
        assertThat(ExtensionHandshake.decode("d4:reqqi-5e1:pi99999ee".getBytes()).reqq()).isEqualTo(1);
        assertThatThrownBy(() -> ExtensionHandshake.decode("li1ee".getBytes())).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ExtensionHandshake.decode("d1:m".getBytes())).isInstanceOf(ProtocolException.class);
    }

    private static void assertSame(Message actual, Message expected) {
        // Records holding arrays compare arrays by identity; compare their encodings instead.
        MessageCodec c = new MessageCodec(21);
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(c.encode(actual)).isEqualTo(c.encode(expected));
    }

    private static byte ID(int id) {
        return (byte) id;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static final class CountingStream extends InputStream {
        final byte[] data;
        final AtomicLong consumed = new AtomicLong();

        CountingStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            int i = (int) consumed.get();
            if (i >= data.length) return -1;
            consumed.incrementAndGet();
            return data[i] & 0xff;
        }
    }

    @Test
    void beforeTheMetadataABitfieldOfAnyLengthUpToTheBoundPassesAndIsCheckedLater() throws Exception {
        MessageCodec bounding = MessageCodec.beforeMetadata(100); // at most 13 bytes of bitfield
        assertThat(bounding.isExact()).isFalse();
        byte[] spare = {(byte) 0xff, 0x01}; // 2 bytes: fine for 9..16 pieces, spare bits unknown yet
        assertThat(bounding.decode(ByteBuffer.wrap(frameBody(MessageCodec.ID_BITFIELD, spare)))).isInstanceOf(Bitfield.class);
        assertThatThrownBy(() -> bounding.decode(ByteBuffer.wrap(frameBody(MessageCodec.ID_BITFIELD, new byte[14]))))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> bounding.decode(ByteBuffer.wrap(frameBody(MessageCodec.ID_HAVE, ByteBuffer.allocate(4).putInt(100).array()))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("out of range");
        assertThat(bounding.decode(ByteBuffer.wrap(frameBody(MessageCodec.ID_HAVE, ByteBuffer.allocate(4).putInt(99).array()))))
                .isEqualTo(new Have(99));
        // Once the count is known: 9 pieces take 2 bytes, and the last 7 bits must be clear.
        assertThatThrownBy(() -> MessageCodec.checkBitfield(spare, 9)).hasMessageContaining("spare bits");
        MessageCodec.checkBitfield(new byte[] {(byte) 0xff, (byte) 0x80}, 9);
        assertThatThrownBy(() -> MessageCodec.checkBitfield(spare, 20)).hasMessageContaining("for 20 pieces");
    }

    private static byte[] frameBody(int id, byte[] body) {
        byte[] frame = new byte[1 + body.length];
        frame[0] = (byte) id;
        System.arraycopy(body, 0, frame, 1, body.length);
        return frame;
    }
}
