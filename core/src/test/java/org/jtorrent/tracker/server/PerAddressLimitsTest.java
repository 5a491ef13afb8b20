package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.tracker.server.TrackerServerTest.HASH;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.MutableClock;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.PeerAddress;
import org.junit.jupiter.api.Test;

/**
 * One source (an IPv4 address, an IPv6 /64) flooding the store: it must not fill a torrent or the
 * tracker, honest newcomers must still be listed, and an announce that finds the tracker full must
 * not walk the whole store. Uses the default per-address limits: 8 ports per torrent, 2,000 peers.
 */
class PerAddressLimitsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Random random = new Random(13);

    @Test
    void oneAddressKeepsAFewPortsPerTorrentAndItsNewestAreListed() throws Exception {
        Swarms swarms = new Swarms(TrackerServerConfig.loopback(), clock);
        for (int port = 1; port <= 10_000; port++) {
            clock.advance(Duration.ofMillis(1));
            swarms.announce(announce(HASH, peer("10.0.0.1", port)));
        }
        assertThat(swarms.peerCount(HASH)).isEqualTo(8);
        // an honest peer still gets in, and sees the flooder's eight newest ports
        var reply = swarms.announce(announce(HASH, peer("10.0.0.2", 6881)));
        assertThat(swarms.peerCount(HASH)).isEqualTo(9);
        assertThat(reply.peers()).extracting(p -> p.address().port())
                .containsExactlyInAnyOrder(9993, 9994, 9995, 9996, 9997, 9998, 9999, 10_000);
        // re-announcing one of them is the same entry
        swarms.announce(announce(HASH, peer("10.0.0.1", 9993)));
        assertThat(swarms.peerCount(HASH)).isEqualTo(9);
    }

    @Test
    void anIpv6Slash64IsOneSource() throws Exception {
        Swarms swarms = new Swarms(TrackerServerConfig.loopback(), clock);
        for (int i = 1; i <= 1000; i++) {
            swarms.announce(announce(HASH, peer("2001:db8:1:2:" + Integer.toHexString(i) + "::1", 6881)));
        }
        assertThat(swarms.peerCount(HASH)).isEqualTo(8);
        swarms.announce(announce(HASH, peer("2001:db8:1:3::1", 6881))); // the next /64 is another source
        assertThat(swarms.peerCount(HASH)).isEqualTo(9);
    }

    @Test
    void oneAddressCannotFillTheTrackerWithTorrents() throws Exception {
        Swarms swarms = new Swarms(TrackerServerConfig.loopback().withCaps(5000, 100, 1_000_000), clock);
        List<String> refusals = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            try {
                swarms.announce(announce(randomHash(), peer("10.0.0.66", 1 + random.nextInt(65_535))));
            } catch (Swarms.Refused e) {
                refusals.add(e.getMessage());
            }
        }
        assertThat(swarms.torrentCount()).isEqualTo(2000);
        assertThat(refusals).hasSize(4000).allMatch(m -> m.equals("too many peers from your address (2000)"));
        // others still create torrents
        for (int i = 0; i < 100; i++) swarms.announce(announce(randomHash(), peer("10.0.1." + (i + 1), 6881)));
        assertThat(swarms.torrentCount()).isEqualTo(2100);
        assertThat(swarms.entriesOf(InetAddress.getByName("10.0.0.66"))).isEqualTo(2000);
    }

    @Test
    void whenFullAFloodersTorrentMakesWayForAnHonestNewcomer() throws Exception {
        Swarms swarms = new Swarms(TrackerServerConfig.loopback().withCaps(1000, 100, 1_000_000), clock);
        for (int i = 0; i < 1000; i++) swarms.announce(announce(randomHash(), peer("10.0.0.66", 1 + i)));
        assertThatThrownBy(() -> swarms.announce(announce(randomHash(), peer("10.0.0.66", 7))))
                .hasMessage("tracker is full (1000 torrents)"); // the flooder cannot evict its own
        InfoHash honest = randomHash();
        swarms.announce(announce(honest, peer("10.0.0.5", 6881)));
        assertThat(swarms.peerCount(honest)).isEqualTo(1);
        assertThat(swarms.torrentCount()).isEqualTo(1000);
        // and the honest torrent is not evicted for the flooder's next one
        assertThatThrownBy(() -> swarms.announce(announce(randomHash(), peer("10.0.0.66", 8))))
                .hasMessage("tracker is full (1000 torrents)");
        assertThat(swarms.peerCount(honest)).isEqualTo(1);
    }

    @Test
    void anAnnounceThatFindsTheTrackerFullDoesNotSweepTheWholeStore() throws Exception {
        var config = TrackerServerConfig.loopback().withCaps(1000, 100, 1_000_000).withInterval(Duration.ofSeconds(60));
        Swarms swarms = new Swarms(config, clock);
        for (int i = 0; i < 1000; i++) swarms.announce(announce(randomHash(), peer("10.1." + (i >> 8) + "." + (i & 255), 6881)));
        clock.advance(Duration.ofMinutes(3)); // every peer is now past two intervals, but the timer has not swept
        InfoHash newcomer = randomHash();
        swarms.announce(announce(newcomer, peer("10.2.0.1", 6881)));
        assertThat(swarms.peerCount(newcomer)).as("room was made").isEqualTo(1);
        // a bounded slice was looked at, not all 1,000 torrents: the rest is the timer's work
        assertThat(swarms.torrentCount()).isGreaterThan(1000 - 100);
        swarms.expire();
        assertThat(swarms.torrentCount()).isEqualTo(1);
    }

    @Test
    void aFullTorrentLetsANewcomerReplaceAnExpiredPeer() throws Exception {
        var config = TrackerServerConfig.loopback().withCaps(10, 5, 1000).withInterval(Duration.ofSeconds(60));
        Swarms swarms = new Swarms(config, clock);
        for (int i = 1; i <= 5; i++) swarms.announce(announce(HASH, peer("10.0.0." + i, 6881)));
        clock.advance(Duration.ofMinutes(3));
        swarms.announce(announce(HASH, peer("10.0.0.99", 6881)));
        var reply = swarms.announce(announce(HASH, peer("10.0.0.100", 6881)));
        assertThat(reply.peers()).extracting(Swarms.Peer::address).contains(peer("10.0.0.99", 6881));
        assertThat(swarms.peerCount(HASH)).isEqualTo(5);
        assertThat(swarms.peerCount()).isEqualTo(5);
    }

    @Test
    void countsFollowPeersThatLeaveAndExpire() throws Exception {
        var config = TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(60));
        Swarms swarms = new Swarms(config, clock);
        InetAddress flooder = InetAddress.getByName("10.0.0.66");
        List<InfoHash> hashes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            hashes.add(randomHash());
            swarms.announce(announce(hashes.getLast(), peer("10.0.0.66", 6881)));
        }
        assertThatThrownBy(() -> swarms.announce(announce(randomHash(), peer("10.0.0.66", 6881)))).isInstanceOf(Swarms.Refused.class);
        for (int i = 0; i < 500; i++) {
            swarms.announce(new Swarms.Announce(hashes.get(i), peer("10.0.0.66", 6881), PeerId.random(), 0, AnnounceEvent.STOPPED, 0));
        }
        assertThat(swarms.entriesOf(flooder)).isEqualTo(1500);
        clock.advance(Duration.ofMinutes(3));
        swarms.expire();
        assertThat(swarms.entriesOf(flooder)).isZero();
        assertThat(swarms.peerCount()).isZero();
        swarms.announce(announce(randomHash(), peer("10.0.0.66", 6881)));
        assertThat(swarms.entriesOf(flooder)).isEqualTo(1);
    }

    private InfoHash randomHash() {
        byte[] h = new byte[20];
        random.nextBytes(h);
        return InfoHash.of(h);
    }

    private static Swarms.Announce announce(InfoHash hash, PeerAddress from) {
        return new Swarms.Announce(hash, from, PeerId.random(), 1, AnnounceEvent.STARTED, 50);
    }

    private static PeerAddress peer(String ip, int port) throws UnknownHostException {
        return new PeerAddress(InetAddress.getByName(ip), port);
    }
}
