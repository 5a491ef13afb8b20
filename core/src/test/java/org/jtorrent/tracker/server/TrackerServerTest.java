package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.MutableClock;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceRequest;
import org.jtorrent.tracker.AnnounceResponse;
import org.jtorrent.tracker.HttpTrackerProtocol;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.SelfFilter;
import org.jtorrent.tracker.TrackerClient;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.TrackerException;
import org.junit.jupiter.api.Test;

/** Our client against our embedded tracker, in one JVM, on loopback. */
class TrackerServerTest {
    static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    static final Duration SHORT = Duration.ofSeconds(3);
    static final TrackerConfig FAST = TrackerConfig.DEFAULT.withAttemptTimeout(SHORT);

    static AnnounceResponse announce(URI tracker, int port, long left, AnnounceEvent event) throws TrackerException {
        return client(tracker, port).announce(request(port, left, event), SHORT);
    }

    static AnnounceRequest request(int port, long left, AnnounceEvent event) {
        return new AnnounceRequest(HASH, PeerId.random(), port, 0, 0, left, event, -1, 42);
    }

    static TrackerClient client(URI tracker, int port) {
        return TrackerClient.forUri(tracker, FAST, SelfFilter.forPort(port), Clock.systemUTC());
    }

    static PeerAddress local(int port) {
        return new PeerAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Test
    void peersFindEachOtherOverHttpAndUdp() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(77)))) {
            AnnounceResponse seeder = announce(server.httpAnnounceUri(), 7001, 0, AnnounceEvent.STARTED);
            assertThat(seeder.peers()).isEmpty();
            assertThat(seeder.interval()).isEqualTo(Duration.ofSeconds(77));
            assertThat(seeder.seeders()).isEqualTo(1);

            AnnounceResponse leecher = announce(server.udpAnnounceUri(), 7002, 100, AnnounceEvent.STARTED);
            assertThat(leecher.peers()).containsExactly(local(7001));
            assertThat(leecher.interval()).isEqualTo(Duration.ofSeconds(77));
            assertThat(leecher.seeders()).isEqualTo(1);
            assertThat(leecher.leechers()).isEqualTo(1);

            AnnounceResponse again = announce(server.httpAnnounceUri(), 7001, 0, AnnounceEvent.NONE);
            assertThat(again.peers()).containsExactly(local(7002));
            assertThat(server.peerCount(HASH)).as("a re-announce is the same peer").isEqualTo(2);

            ScrapeStats expected = new ScrapeStats(1, 0, 1);
            assertThat(client(server.httpAnnounceUri(), 1).scrape(List.of(HASH), SHORT)).containsEntry(HASH, expected);
            assertThat(client(server.udpAnnounceUri(), 1).scrape(List.of(HASH), SHORT)).containsEntry(HASH, expected);

            announce(server.udpAnnounceUri(), 7002, 0, AnnounceEvent.COMPLETED);
            assertThat(client(server.udpAnnounceUri(), 1).scrape(List.of(HASH), SHORT)).containsEntry(HASH, new ScrapeStats(2, 1, 0));
            announce(server.httpAnnounceUri(), 7002, 0, AnnounceEvent.STOPPED);
            assertThat(server.peerCount(HASH)).isEqualTo(1);
        }
    }

    @Test
    void aCompletionCountsOnceWhenAPeerReachesUsThroughTwoUrls() throws Exception {
        // A client announcing to every tier, with our udp:// and http:// URLs in different tiers: its
        // HTTP "started" (left > 0) can arrive after its UDP "completed", and then its HTTP "completed".
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            announce(server.udpAnnounceUri(), 7002, 100, AnnounceEvent.STARTED);
            announce(server.udpAnnounceUri(), 7002, 0, AnnounceEvent.COMPLETED);
            announce(server.httpAnnounceUri(), 7002, 100, AnnounceEvent.STARTED); // the stale one
            announce(server.httpAnnounceUri(), 7002, 0, AnnounceEvent.COMPLETED);
            assertThat(client(server.httpAnnounceUri(), 1).scrape(List.of(HASH), SHORT))
                    .containsEntry(HASH, new ScrapeStats(1, 1, 0));
        }
    }

    /** Shown by the HTTP request fuzz target: a hash named twice made the reply a dictionary with a repeated key, and no reply at all. */
    @Test
    void aScrapeThatNamesAHashTwiceIsAnsweredOnce() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            announce(server.httpAnnounceUri(), 7001, 0, AnnounceEvent.STARTED);
            assertThat(client(server.httpAnnounceUri(), 1).scrape(List.of(HASH, HASH), SHORT))
                    .containsExactly(java.util.Map.entry(HASH, new ScrapeStats(1, 0, 0)));
        }
    }

    @Test
    void peersAreKeyedByAddressAndPortNotAddressAlone() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            for (int port = 7100; port < 7105; port++) announce(server.httpAnnounceUri(), port, 1, AnnounceEvent.STARTED);
            AnnounceResponse r = announce(server.httpAnnounceUri(), 7200, 1, AnnounceEvent.STARTED);
            assertThat(r.peers()).containsExactlyInAnyOrder(local(7100), local(7101), local(7102), local(7103), local(7104));
        }
    }

    @Test
    void dictionaryPeerListWhenCompactIsOff() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            PeerId first = PeerId.random();
            client(server.httpAnnounceUri(), 7301).announce(new AnnounceRequest(HASH, first, 7301, 0, 0, 0,
                    AnnounceEvent.STARTED, -1, 1), SHORT);
            URI compact = HttpTrackerProtocol.announceUri(server.httpAnnounceUri(), request(7302, 5, AnnounceEvent.STARTED),
                    java.util.Optional.empty());
            URI dicts = URI.create(compact.toString().replace("compact=1", "compact=0"));
            byte[] body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(dicts).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();

            BDict root = (BDict) Bencode.decode(body).root();
            BList peers = (BList) root.get("peers").orElseThrow();
            assertThat(peers.size()).isEqualTo(1);
            BDict peer = (BDict) peers.iterator().next();
            assertThat(peer.get("ip").orElseThrow().toString()).isEqualTo("127.0.0.1");
            assertThat(peer.get("port").orElseThrow().toString()).isEqualTo("7301");
            assertThat(((org.jtorrent.bencode.BString) peer.get("peer id").orElseThrow()).bytes()).isEqualTo(first.bytes());
            assertThat(HttpTrackerProtocol.parseAnnounce(server.httpAnnounceUri(), body, SelfFilter.forPort(7302)).peers())
                    .containsExactly(local(7301));
        }
    }

    @Test
    void ipv6PeersComeAsPeers6OverHttpAnd18ByteEntriesOverUdp() throws Exception {
        InetAddress any6 = InetAddress.getByName("::");
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withBind(any6))) {
            int http = server.httpAddress().orElseThrow().getPort();
            int udp = server.udpAddress().orElseThrow().getPort();
            URI http4 = URI.create("http://127.0.0.1:" + http + "/announce");
            URI http6 = URI.create("http://[::1]:" + http + "/announce");
            URI udp6 = URI.create("udp://[::1]:" + udp);
            PeerAddress v6 = new PeerAddress(InetAddress.getByName("::1"), 7402);

            announce(http4, 7401, 0, AnnounceEvent.STARTED);
            assertThat(announce(http6, 7402, 0, AnnounceEvent.STARTED).peers()).containsExactly(local(7401));
            // the IPv4 client learns the IPv6 peer from peers6
            assertThat(announce(http4, 7403, 9, AnnounceEvent.STARTED).peers())
                    .containsExactlyInAnyOrder(local(7401), v6);
            // over UDP/IPv6 only IPv6 peers fit the reply, 18 bytes each
            assertThat(announce(udp6, 7404, 9, AnnounceEvent.STARTED).peers()).containsExactly(v6);
        }
    }

    @Test
    void peersSilentForTwoIntervalsExpire() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Duration interval = Duration.ofSeconds(60);
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withInterval(interval), clock)) {
            announce(server.udpAnnounceUri(), 7501, 0, AnnounceEvent.STARTED);
            clock.advance(interval);
            announce(server.httpAnnounceUri(), 7502, 5, AnnounceEvent.STARTED);
            clock.advance(interval.minusSeconds(1)); // 7501 silent for 2 intervals - 1 s: still listed
            server.expireNow();
            assertThat(server.peerCount(HASH)).isEqualTo(2);

            clock.advance(Duration.ofSeconds(2)); // now past two intervals
            server.expireNow();
            assertThat(server.peerCount(HASH)).isEqualTo(1);
            assertThat(announce(server.httpAnnounceUri(), 7503, 5, AnnounceEvent.STARTED).peers()).containsExactly(local(7502));

            clock.advance(interval.multipliedBy(3));
            server.expireNow();
            assertThat(server.torrentCount()).as("a torrent without peers is dropped").isZero();
            assertThat(server.peerCount()).isZero();
        }
    }

    @Test
    void theExpirySweepRunsByItselfOncePerInterval() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(1)))) {
            announce(server.udpAnnounceUri(), 7551, 0, AnnounceEvent.STARTED);
            assertThat(server.peerCount(HASH)).isEqualTo(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (server.torrentCount() > 0 && System.nanoTime() < deadline) Thread.sleep(100);
            // silent for two 1 s intervals, swept at the next 1 s tick: gone after 2-3 s, not before 2 s
            assertThat(server.torrentCount()).isZero();
            assertThat(server.peerCount()).isZero();
        }
    }

    @Test
    void onlyAllowedInfoHashesWhenAWhitelistIsGiven() throws Exception {
        InfoHash other = InfoHash.fromHex("ffffffffffffffffffffffffffffffffffffffff");
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withAllowed(Set.of(other)))) {
            assertThatThrownBy(() -> announce(server.httpAnnounceUri(), 7601, 0, AnnounceEvent.STARTED))
                    .isInstanceOfSatisfying(TrackerException.class, e -> assertThat(e.isRefusal()).isTrue())
                    .hasMessageEndingWith("tracker refused: torrent not allowed on this tracker");
            assertThatThrownBy(() -> announce(server.udpAnnounceUri(), 7601, 0, AnnounceEvent.STARTED))
                    .hasMessageEndingWith("tracker refused: torrent not allowed on this tracker");
            assertThat(server.torrentCount()).isZero();
        }
    }

    @Test
    void udpConnectionIdIsReusedWithinItsMinuteAndRenewedAfter() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:30Z"));
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback(), clock)) {
            TrackerClient c = TrackerClient.forUri(server.udpAnnounceUri(), FAST, SelfFilter.forPort(7701), clock);
            c.announce(request(7701, 0, AnnounceEvent.STARTED), SHORT);
            clock.advance(Duration.ofSeconds(50)); // id still valid for the client and the server
            c.announce(request(7701, 0, AnnounceEvent.NONE), SHORT);
            clock.advance(Duration.ofMinutes(5)); // client must reconnect, or the server would refuse the old id
            assertThat(c.announce(request(7701, 0, AnnounceEvent.NONE), SHORT).seeders()).isEqualTo(1);
        }
    }
}
