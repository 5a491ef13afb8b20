package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class PeerTrustTest {
    private final InetAddress liar = address(2);
    private final InetAddress honest = address(3);

    @Test
    void aPeerAloneOnTwoFailedPiecesIsBanned() {
        PeerTrust trust = new PeerTrust();
        trust.contributed(0, liar);
        assertThat(trust.failed(0)).isEmpty();
        trust.contributed(1, liar);
        assertThat(trust.failed(1)).containsExactly(liar);
    }

    @Test
    void sharedFailuresBanTheLiarBeforeAnHonestPeerThatEarnedTrust() {
        PeerTrust trust = new PeerTrust();
        for (int p = 0; p < 5; p++) {
            trust.contributed(p, honest);
            trust.verified(p);
        }
        for (int p = 10; p < 12; p++) {
            trust.contributed(p, liar);
            trust.contributed(p, honest);
            assertThat(trust.failed(p)).isEmpty();
        }
        trust.contributed(12, liar);
        trust.contributed(12, honest);
        assertThat(trust.failed(12)).containsExactly(liar);
        assertThat(trust.trustOf(honest)).isEqualTo(5 - 6);
    }

    @Test
    void peersAreKeyedByAddress() {
        PeerTrust trust = new PeerTrust();
        trust.contributed(0, liar);
        trust.failed(0);
        assertThat(trust.trustOf(address(2))).isEqualTo(PeerTrust.SOLE_FAILURE);
        assertThat(trust.trustOf(honest)).isZero();
    }

    /** Two connections from one address (one peer redialling from a new port) are one contributor. */
    @Test
    void twoConnectionsFromOneAddressAreOneContributor() {
        PeerTrust trust = new PeerTrust();
        trust.contributed(0, liar);
        trust.contributed(0, address(2));
        assertThat(trust.failed(0)).isEmpty();
        assertThat(trust.trustOf(liar)).isEqualTo(PeerTrust.SOLE_FAILURE);
    }

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void trustIsCapped() {
        PeerTrust trust = new PeerTrust();
        for (int p = 0; p < 50; p++) {
            trust.contributed(p, honest);
            trust.verified(p);
        }
        assertThat(trust.trustOf(honest)).isEqualTo(PeerTrust.MAX);
    }
}
