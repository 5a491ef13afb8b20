package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PeerTrustTest {
    private final InetSocketAddress liar = new InetSocketAddress("127.0.0.1", 6881);
    private final InetSocketAddress honest = new InetSocketAddress("127.0.0.1", 6882);
    private final InetSocketAddress samePortElsewhere = new InetSocketAddress("127.0.0.2", 6881);

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
    void peersAreKeyedByAddressAndPort() {
        PeerTrust trust = new PeerTrust();
        trust.contributed(0, liar);
        trust.failed(0);
        assertThat(trust.trustOf(samePortElsewhere)).isZero();
        assertThat(trust.trustOf(new InetSocketAddress("127.0.0.1", 6883))).isZero();
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
