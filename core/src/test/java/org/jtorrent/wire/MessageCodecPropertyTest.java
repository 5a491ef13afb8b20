package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MessageCodecPropertyTest {
    private static final int PIECES = 1000;
    private final MessageCodec codec = new MessageCodec(PIECES);

    /** Random input only ever yields messages, a protocol error, or end of input: never a crash. */
    @Property(tries = 2000)
    void randomBytesNeverCrashTheReader(@ForAll @Size(max = 300) byte[] input) {
        InputStream in = new ByteArrayInputStream(input);
        try {
            for (int i = 0; i < 100; i++) codec.read(in);
        } catch (ProtocolException | EOFException expected) {
            // the only two ways out
        } catch (IOException e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }

    /** A length prefix is never trusted: whatever it says, at most the limit is allocated. */
    @Property(tries = 500)
    void lengthPrefixAboveTheLimitIsRefused(@ForAll @IntRange(min = 65_539, max = Integer.MAX_VALUE) int length) {
        byte[] prefix = java.nio.ByteBuffer.allocate(5).putInt(length).put((byte) 7).array();
        try {
            codec.read(new ByteArrayInputStream(prefix));
            throw new AssertionError("accepted a frame of " + length);
        } catch (ProtocolException expected) {
            assertThat(expected).hasMessageContaining("limit");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 500)
    void pieceIndexedMessagesRoundTrip(@ForAll("messages") Message m) throws IOException {
        byte[] frame = codec.encode(m);
        assertThat(codec.read(new ByteArrayInputStream(frame))).isEqualTo(m);
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Integer> piece = Arbitraries.integers().between(0, PIECES - 1);
        Arbitrary<Integer> any = Arbitraries.integers();
        return Arbitraries.oneOf(
                piece.map(Message.Have::new),
                piece.map(Message.AllowedFast::new),
                piece.map(Message.SuggestPiece::new),
                Arbitraries.integers().between(0, 65535).map(Message.Port::new),
                Combinators.combine(piece, any, any).as(Message.Request::new),
                Combinators.combine(piece, any, any).as(Message.Cancel::new),
                Combinators.combine(piece, any, any).as(Message.RejectRequest::new));
    }
}
