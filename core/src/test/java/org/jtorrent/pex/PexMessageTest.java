package org.jtorrent.pex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.wire.ProtocolException;
import org.junit.jupiter.api.Test;

class PexMessageTest {
    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodesCompactContactsWithOneFlagByteEach() throws Exception {
        PexMessage m = new PexMessage(List.of(new PexPeer(at("1.2.3.4", 6881), PexPeer.SEED),
                new PexPeer(at("::1", 258), PexPeer.PREFERS_ENCRYPTION)), List.of(at("10.0.0.1", 1)));
        assertThat(m.encode()).isEqualTo(ascii("d5:added6:\1\2\3\4\u001a\u00e17:added.f1:\2"
                + "6:added618:\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\1\2" + "8:added6.f1:\1"
                + "7:dropped6:\n\0\0\1\0\1" + "8:dropped60:e"));
    }

    @Test
    void decodesWhatItEncodes() throws Exception {
        List<PexPeer> added = new ArrayList<>();
        for (int i = 1; i <= 30; i++) added.add(new PexPeer(at("127.0.0." + i, 6000 + i), i & 0x1f));
        added.add(new PexPeer(at("2001:db8::7", 51413), PexPeer.SEED | PexPeer.UTP));
        PexMessage m = new PexMessage(added, List.of(at("8.8.8.8", 80), at("2001:db8::9", 443)));
        assertThat(PexMessage.decode(m.encode(), 100)).isEqualTo(m);
        assertThat(PexMessage.decode(new PexMessage(List.of(), List.of()).encode(), 100).isEmpty()).isTrue();
    }

    /** libtorrent closes the connection for these (invalid_pex_message): so do we. */
    @Test
    void refusesWhatIsNotABencodedDictionary() {
        for (String bad : new String[] {"", "x", "le", "i5e", "d5:added", "d5:added6:abcdefe trailing", "4:spam"}) {
            assertThatThrownBy(() -> PexMessage.decode(ascii(bad), 100)).as(bad).isInstanceOf(ProtocolException.class);
        }
    }

    /** What libtorrent skips, we skip; the rest of the message still counts. */
    @Test
    void skipsMalformedFieldsAsLibtorrentDoes() throws Exception {
        // Wrong types are absent; 8 bytes of "added" are one contact and two stray bytes; port 0 is skipped.
        PexMessage m = PexMessage.decode(ascii("d5:added8:\1\2\3\4\0\7xy7:added.f1:\2" + "7:droppedi5e"
                + "6:added612:\0\0\0\0\0\0\0\0\0\0\0\0" + "8:dropped66:\1\2\3\4\0\0e"), 100);
        assertThat(m.added()).containsExactly(new PexPeer(at("1.2.3.4", 7), PexPeer.SEED));
        assertThat(m.dropped()).isEmpty();
        // added.f of the wrong length: that family's contacts are ignored (libtorrent ignores them too).
        PexMessage mismatched = PexMessage.decode(ascii("d5:added12:\1\2\3\4\0\7\1\2\3\5\0\7" + "7:added.f1:\2"
                + "7:dropped6:\1\2\3\6\0\7e"), 100);
        assertThat(mismatched.added()).isEmpty();
        assertThat(mismatched.dropped()).containsExactly(at("1.2.3.6", 7));
        // No added.f at all: BEP 11 calls it optional, so the contacts count, with flags 0.
        assertThat(PexMessage.decode(ascii("d5:added6:\1\2\3\4\0\7e"), 100).added())
                .containsExactly(new PexPeer(at("1.2.3.4", 7), 0));
        // Unknown keys, nested values among them, are no error.
        assertThat(PexMessage.decode(ascii("d1:xld1:yi1eee5:added6:\1\2\3\4\0\7e"), 100).added()).hasSize(1);
    }

    /**
     * 5,000 contacts in each list cost the 100 we read: the rest of the strings is never looked at.
     * The bencode decoder's token array is as long as the input (at most a frame, 64 KiB); beyond it, what
     * is allocated follows the cap, not the contacts sent: 20,000 (a 240 KB message) cost the same
     * 100 + 100 (materialised, 5,000 contacts would cost megabytes).
     */
    @Test
    void aHugeMessageIsReadOnlyUpToTheCap() throws Exception {
        for (int n : new int[] {5000, 20000}) {
            byte[] payload = huge(n);
            PexMessage m = FuzzChecks.boundedAllocation(payload.length + 96 * 1024, n + "-contact PEX", () -> PexMessage.decode(payload, 100));
            assertThat(m.added()).hasSize(100);
            assertThat(m.dropped()).hasSize(100);
            assertThat(m.added().getFirst().address()).isEqualTo(at("10.0.0.0", 1));
        }
    }

    /** A message of {@code n} IPv4 contacts added (with flags) and {@code n} dropped, all distinct. */
    static byte[] huge(int n) {
        ByteBuffer added = ByteBuffer.allocate(6 * n), dropped = ByteBuffer.allocate(6 * n);
        for (int i = 0; i < n; i++) {
            added.putInt(0x0a000000 + i).putShort((short) (1 + i % 60000));
            dropped.putInt(0x0b000000 + i).putShort((short) (1 + i % 60000));
        }
        Map<String, Object> dict = new TreeMap<>();
        dict.put("added", added.array());
        dict.put("added.f", new byte[n]);
        dict.put("dropped", dropped.array());
        return Bencode.encode(dict);
    }

    @Test
    void contactsAreAddressesAndPorts() throws Exception {
        assertThatThrownBy(() -> new PexPeer(InetSocketAddress.createUnresolved("example.org", 1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PexPeer(at("1.2.3.4", 0), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PexPeer(at("1.2.3.4", 1), 256)).isInstanceOf(IllegalArgumentException.class);
    }
}
