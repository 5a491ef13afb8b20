package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeIdTest {

    /** The examples table of BEP 42: IP, rand, and an id whose first 21 bits and last byte are fixed by them. */
    @Test
    void bep42ExamplesMatch() throws Exception {
        String[][] examples = {
                {"124.31.75.21", "1", "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401"},
                {"21.75.31.124", "86", "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256"},
                {"65.23.51.170", "22", "a5d43220bc8f112a3d426c84764f8c2a1150e616"},
                {"84.124.73.14", "65", "1b0321dd1bb1fe518101ceef99462b947a01ff41"},
                {"43.213.53.83", "90", "e56f6cbf5b7c4be0237986d5243b87aa6d51305a"}};
        for (String[] e : examples) {
            InetAddress ip = InetAddress.getByName(e[0]);
            NodeId expected = NodeId.fromHex(e[2]);
            assertThat(expected.matchesAddress(ip)).as(e[0]).isTrue();
            NodeId made = NodeId.forAddress(ip, Integer.parseInt(e[1]), new Random(1));
            assertThat(made.commonPrefixBits(expected)).as(e[0]).isGreaterThanOrEqualTo(21);
            assertThat(made.bytes()[19]).isEqualTo(expected.bytes()[19]);
            assertThat(made.matchesAddress(ip)).isTrue();
            assertThat(made.matchesAddress(InetAddress.getByName("8.8.8.8"))).isFalse();
        }
    }

    @Test
    void localAddressesAreExemptAndNeverVerified() throws Exception {
        for (String local : new String[] {"127.0.0.1", "10.1.2.3", "192.168.0.1", "::1", "fd00::1"}) {
            InetAddress ip = InetAddress.getByName(local);
            assertThat(NodeId.bep42Applies(ip)).as(local).isFalse();
            assertThat(NodeId.forAddress(ip).matchesAddress(ip)).isFalse();
        }
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertThat(NodeId.forAddress(v6).matchesAddress(v6)).isTrue();
    }

    @Test
    void distanceOrderAndPrefixes() {
        NodeId zero = NodeId.of(new byte[20]);
        byte[] b = new byte[20];
        b[0] = 0x10;
        NodeId far = NodeId.of(b);
        b = new byte[20];
        b[19] = 1;
        NodeId near = NodeId.of(b);
        assertThat(zero.compareDistance(near, far)).isNegative();
        assertThat(zero.compareDistance(far, near)).isPositive();
        assertThat(zero.commonPrefixBits(far)).isEqualTo(3);
        assertThat(zero.commonPrefixBits(near)).isEqualTo(159);
        assertThat(zero.commonPrefixBits(zero)).isEqualTo(160);
        Random r = new Random(7);
        NodeId self = NodeId.random(r);
        for (int prefix = 0; prefix < 160; prefix++) {
            assertThat(self.commonPrefixBits(self.randomWithPrefix(prefix, r))).isEqualTo(prefix);
        }
    }
}
