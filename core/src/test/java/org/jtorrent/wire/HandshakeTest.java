package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private final InfoHash hash = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    private final PeerId id = PeerId.random();

    @Test
    void encodesReservedBitsForFastAndExtensionProtocol() throws IOException {
        byte[] bytes = new Handshake(hash, id, true, true).encode();
        assertThat(bytes).hasSize(68);
        assertThat(bytes[0]).isEqualTo((byte) 19);
        assertThat(new String(bytes, 1, 19, StandardCharsets.US_ASCII)).isEqualTo("BitTorrent protocol");
        assertThat(HexFormat.of().formatHex(bytes, 20, 28)).isEqualTo("0000000000100004");
        Handshake back = Handshake.read(new ByteArrayInputStream(bytes));
        assertThat(back).isEqualTo(new Handshake(hash, id, true, true));
        assertThat(Handshake.decode(new Handshake(hash, id, false, false).encode()))
                .isEqualTo(new Handshake(hash, id, false, false));
    }

    @Test
    void wrongInfoHashIsRefused() throws IOException {
        Handshake other = Handshake.read(new ByteArrayInputStream(
                new Handshake(InfoHash.fromHex("ff".repeat(20)), id, true, true).encode()));
        assertThatThrownBy(() -> other.requireInfoHash(hash)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("info-hash");
    }

    @Test
    void firstByteOtherThan19ClosesWithoutWaitingForMore() {
        // An MSE handshake starts with 96 random bytes; we must not block reading 67 more of them.
        InputStream oneByteThenBlock = new InputStream() {
            boolean sent;

            @Override
            public int read() {
                if (sent) throw new AssertionError("read past the first byte");
                sent = true;
                return 0x8f;
            }
        };
        assertThatThrownBy(() -> Handshake.read(oneByteThenBlock)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("first byte 143");
    }

    @Test
    void garbageAndTruncatedHandshakesAreRefused() {
        byte[] good = new Handshake(hash, id, true, true).encode();
        byte[] wrongProtocol = good.clone();
        wrongProtocol[5] = 'X';
        assertThatThrownBy(() -> Handshake.read(new ByteArrayInputStream(wrongProtocol))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Handshake.read(new ByteArrayInputStream(Arrays.copyOf(good, 40)))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Handshake.read(new ByteArrayInputStream(new byte[0]))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Handshake.decode("GET / HTTP/1.1\r\n".getBytes())).isInstanceOf(ProtocolException.class);
    }
}
