package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.junit.jupiter.api.Test;

class UdpWireTest {
    private static final InfoHash HASH = InfoHash.fromHex("00112233445566778899aabbccddeeff00112233");
    private static final PeerId PEER = PeerId.of("-JT0001-000000000000".getBytes());

    @Test
    void connectRequestLayout() {
        assertThat(HexFormat.of().formatHex(new UdpWire.Connect(0x01020304).encode()))
                .isEqualTo("0000041727101980" + "00000000" + "01020304");
    }

    @Test
    void announceRequestLayoutIsBep15() {
        byte[] b = new UdpWire.Announce(0x1122334455667788L, 7, HASH, PEER, 100, 200, 300, AnnounceEvent.STOPPED,
                0xCAFEBABE, -1, 6881).encode();
        assertThat(b).hasSize(98);
        ByteBuffer in = ByteBuffer.wrap(b);
        assertThat(in.getLong()).isEqualTo(0x1122334455667788L);
        assertThat(in.getInt()).isEqualTo(1);
        assertThat(in.getInt()).isEqualTo(7);
        assertThat(in.position(56).getLong()).isEqualTo(100); // downloaded
        assertThat(in.getLong()).isEqualTo(200); // left
        assertThat(in.getLong()).isEqualTo(300); // uploaded
        assertThat(in.getInt()).isEqualTo(3); // stopped
        assertThat(in.getInt()).isZero(); // ip
        assertThat(in.getInt()).isEqualTo(0xCAFEBABE);
        assertThat(in.getInt()).isEqualTo(-1);
        assertThat(Short.toUnsignedInt(in.getShort())).isEqualTo(6881);
    }

    @Property
    void announceRoundTrips(@ForAll long conn, @ForAll int tx, @ForAll long down, @ForAll int key, @ForAll int numWant,
                            @ForAll char port) throws Exception {
        var a = new UdpWire.Announce(conn, tx, HASH, PEER, down, 5, 6, AnnounceEvent.COMPLETED, key, numWant, port);
        assertThat(UdpWire.decodeRequest(ByteBuffer.wrap(a.encode()))).isEqualTo(a);
    }

    @Test
    void announceReplyPeersAre18BytesOverIpv6() throws Exception {
        var v6 = new PeerAddress(InetAddress.getByName("::1"), 5000);
        byte[] b = new UdpWire.Announced(9, 120, 1, 2, List.of(v6, new PeerAddress(InetAddress.getByName("fe80::2"), 1))).encode();
        assertThat(b).hasSize(20 + 36);
        assertThat(UdpWire.decodeReply(ByteBuffer.wrap(b), true))
                .isEqualTo(new UdpWire.Announced(9, 120, 1, 2, List.of(v6, new PeerAddress(InetAddress.getByName("fe80::2"), 1))));
        // read as IPv4, 36 peer bytes are six 6-byte peers: which is why the family must come from the socket
        assertThat(((UdpWire.Announced) UdpWire.decodeReply(ByteBuffer.wrap(b), false)).peers()).hasSize(6);
    }

    @Test
    void truncatedRepliesAreNamed() {
        byte[] connect = new UdpWire.Connected(1, 42).encode();
        assertThatThrownBy(() -> UdpWire.decodeReply(ByteBuffer.wrap(connect, 0, 12), false))
                .hasMessage("truncated connect reply: 12 bytes, need 16");
        byte[] announce = new UdpWire.Announced(1, 60, 0, 0, List.of()).encode();
        assertThatThrownBy(() -> UdpWire.decodeReply(ByteBuffer.wrap(announce, 0, 19), false))
                .hasMessageContaining("truncated announce reply");
        byte[] peers = ByteBuffer.allocate(25).putInt(1).putInt(1).array();
        assertThatThrownBy(() -> UdpWire.decodeReply(ByteBuffer.wrap(peers), false))
                .hasMessageContaining("5 peer bytes, not a multiple of 6");
    }

    @Test
    void errorReplyCarriesTheMessage() throws Exception {
        assertThat(UdpWire.decodeReply(ByteBuffer.wrap(new UdpWire.Error(5, "unknown torrent").encode()), false))
                .isEqualTo(new UdpWire.Error(5, "unknown torrent"));
    }

    @Test
    void requestDecoderRejectsGarbage() {
        assertThatThrownBy(() -> UdpWire.decodeRequest(ByteBuffer.wrap(new byte[15]))).isInstanceOf(UdpWire.MalformedPacket.class);
        byte[] badMagic = ByteBuffer.allocate(16).putLong(1).putInt(0).putInt(0).array();
        assertThatThrownBy(() -> UdpWire.decodeRequest(ByteBuffer.wrap(badMagic))).hasMessageContaining("protocol id");
        byte[] shortAnnounce = ByteBuffer.allocate(60).putLong(1).putInt(1).putInt(0).array();
        assertThatThrownBy(() -> UdpWire.decodeRequest(ByteBuffer.wrap(shortAnnounce))).hasMessageContaining("need 98");
    }

    @Property
    void randomBytesNeverCrashTheDecoders(@ForAll byte[] junk) {
        try {
            UdpWire.decodeRequest(ByteBuffer.wrap(junk));
        } catch (UdpWire.MalformedPacket expected) {
            // fine: the only way a decoder may refuse
        }
        try {
            UdpWire.decodeReply(ByteBuffer.wrap(junk), junk.length % 2 == 0);
        } catch (UdpWire.MalformedPacket expected) {
            // fine
        }
    }
}
