package org.jtorrent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.jtorrent.wire.MetadataMessage.Data;
import org.jtorrent.wire.MetadataMessage.Reject;
import org.jtorrent.wire.MetadataMessage.Request;
import org.junit.jupiter.api.Test;

class MetadataMessageTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodesAsBep9Shows() {
        assertThat(new Request(0).encode()).isEqualTo(ascii("d8:msg_typei0e5:piecei0ee"));
        assertThat(new Reject(3).encode()).isEqualTo(ascii("d8:msg_typei2e5:piecei3ee"));
        assertThat(new Data(1, 20000, ascii("xyz")).encode()).isEqualTo(ascii("d8:msg_typei1e5:piecei1e10:total_sizei20000eexyz"));
    }

    @Test
    void decodesWhatItEncodesAndTheBlockAfterTheDictionary() throws Exception {
        assertThat(MetadataMessage.decode(new Request(7).encode())).contains(new Request(7));
        assertThat(MetadataMessage.decode(new Reject(2).encode())).contains(new Reject(2));
        byte[] block = new byte[MetadataMessage.BLOCK];
        Arrays.fill(block, (byte) 'd'); // a block may start with bytes that look like bencode
        Data data = (Data) MetadataMessage.decode(new Data(0, 40000, block).encode()).orElseThrow();
        assertThat(data.piece()).isZero();
        assertThat(data.totalSize()).isEqualTo(40000);
        assertThat(data.data()).isEqualTo(block);
        assertThat(MetadataMessage.blockCount(40000)).isEqualTo(3);
        assertThat(MetadataMessage.blockCount(16384)).isEqualTo(1);
    }

    @Test
    void ignoresUnknownTypesAndRefusesMalformedMessages() throws Exception {
        assertThat(MetadataMessage.decode(ascii("d8:msg_typei9e5:piecei0ee"))).isEmpty();
        for (String bad : new String[] {"li0ee", "d5:piecei0ee", "d8:msg_typei0ee", "d8:msg_typei0e5:piecei-1ee",
                "d8:msg_typei1e5:piecei0ee", "d8:msg_typei1e5:piecei0e10:total_sizei0ee", "d8:msg_type", "x"}) {
            assertThatThrownBy(() -> MetadataMessage.decode(ascii(bad))).as(bad).isInstanceOf(ProtocolException.class);
        }
        byte[] oversized = new byte[MetadataMessage.BLOCK + 1];
        byte[] header = ascii("d8:msg_typei1e5:piecei0e10:total_sizei99999ee");
        byte[] frame = Arrays.copyOf(header, header.length + oversized.length);
        assertThatThrownBy(() -> MetadataMessage.decode(frame)).isInstanceOf(ProtocolException.class).hasMessageContaining("16385");
    }

    @Test
    void extensionHandshakeCarriesMetadataSizeAndYourIp() throws Exception {
        ExtensionHandshake ours = new ExtensionHandshake(Optional.of("jtorrent"), 500, 6881, Map.of("ut_metadata", 2),
                31337, Optional.of(InetAddress.getByName("127.0.0.2")));
        assertThat(ExtensionHandshake.decode(ours.encode())).isEqualTo(ours);
        ExtensionHandshake odd = ExtensionHandshake.decode(ascii("d13:metadata_sizei-4e6:youripl3:abcee"));
        assertThat(odd.metadataSize()).isZero();
        assertThat(odd.yourIp()).isEmpty();
        ExtensionHandshake v6 = ExtensionHandshake.decode(ascii("d6:yourip16:\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1e"));
        assertThat(v6.yourIp()).contains(InetAddress.getByName("::1"));
    }
}
