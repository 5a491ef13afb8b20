package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.jtorrent.testing.MutableClock;
import org.junit.jupiter.api.Test;

class TokensAndPeerStoreTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Random random = new Random(5);

    @Test
    void aTokenIsAcceptedForFiveToTenMinutesFromItsAddressOnly() throws Exception {
        Tokens tokens = new Tokens(clock, new SecureRandom());
        InetAddress a = InetAddress.getByName("1.2.3.4");
        InetAddress b = InetAddress.getByName("1.2.3.5");
        byte[] token = tokens.issue(a);
        assertThat(tokens.accepts(token, a)).isTrue();
        assertThat(tokens.accepts(token, b)).isFalse();
        assertThat(tokens.accepts(new byte[Tokens.LENGTH], a)).isFalse();
        assertThat(tokens.accepts(null, a)).isFalse();
        assertThat(tokens.accepts(new byte[3], a)).isFalse();
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(tokens.accepts(token, a)).isTrue();
        clock.advance(Duration.ofSeconds(1)); // first rotation: the token is now the previous secret's
        assertThat(tokens.accepts(token, a)).isTrue();
        assertThat(tokens.issue(a)).isNotEqualTo(token);
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(tokens.accepts(token, a)).isTrue();
        clock.advance(Duration.ofSeconds(1)); // second rotation: 10 minutes old, refused
        assertThat(tokens.accepts(token, a)).isFalse();
        byte[] fresh = tokens.issue(a);
        clock.advance(Duration.ofHours(5)); // long idle: everything older than two rotations is gone
        assertThat(tokens.accepts(fresh, a)).isFalse();
    }

    private static InetSocketAddress peer(int n) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n}), 6881);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void peersExpireThirtyMinutesAfterTheirLastAnnounce() {
        PeerStore store = new PeerStore(100, 100, 1000, clock);
        NodeId ih = NodeId.random(random);
        store.announce(ih, peer(1));
        clock.advance(Duration.ofMinutes(20));
        store.announce(ih, peer(2));
        store.announce(ih, peer(1)); // renewed
        assertThat(store.peerCount()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(29));
        assertThat(store.peers(ih, false, 50, random)).containsExactlyInAnyOrder(peer(1), peer(2));
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.peers(ih, false, 50, random)).isEmpty();
        store.expire();
        assertThat(store.peerCount()).isZero();
        assertThat(store.infoHashCount()).isZero();
    }

    @Test
    void capsPerInfoHashInfoHashesAndTotalHold() {
        PeerStore store = new PeerStore(10, 50, 200, clock);
        NodeId one = NodeId.random(random);
        for (int i = 0; i < 1000; i++) store.announce(one, peer(i));
        assertThat(store.peerCount(one)).isEqualTo(10);
        assertThat(store.peers(one, false, 50, random)).hasSize(10).contains(peer(999));
        assertThat(store.peers(one, false, 3, random)).hasSize(3);
        for (int i = 0; i < 100_000; i++) store.announce(NodeId.random(random), peer(i));
        assertThat(store.infoHashCount()).isLessThanOrEqualTo(50);
        assertThat(store.peerCount()).isLessThanOrEqualTo(200);
        for (int i = 0; i < 1000; i++) for (int j = 0; j < 20; j++) store.announce(NodeId.of(new byte[] {(byte) i, (byte) (i >> 8), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), peer(j));
        assertThat(store.infoHashCount()).isLessThanOrEqualTo(50);
        assertThat(store.peerCount()).isLessThanOrEqualTo(200);
        NodeId last = NodeId.of(new byte[] {(byte) 999, (byte) (999 >> 8), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(store.peerCount(last)).isEqualTo(10);
    }
}
