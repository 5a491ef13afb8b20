package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.tracker.server.TrackerServerTest.HASH;
import static org.jtorrent.tracker.server.TrackerServerTest.announce;
import static org.jtorrent.tracker.server.TrackerServerTest.local;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceRequest;
import org.jtorrent.tracker.HttpTrackerProtocol;
import org.jtorrent.tracker.UdpWire;
import org.junit.jupiter.api.Test;

/** Hostile input at the embedded tracker: it must keep answering valid announces and stay within its caps. */
class ServerGarbageTest {

    @Test
    void randomDatagramsAndMalformedHttpDoNotDisturbIt() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            announce(server.udpAnnounceUri(), 8001, 0, AnnounceEvent.STARTED);
            Random random = new Random(42);
            try (DatagramSocket junk = new DatagramSocket()) {
                junk.setSoTimeout(200);
                var target = server.udpAddress().orElseThrow();
                for (int i = 0; i < 2000; i++) {
                    byte[] b = new byte[random.nextInt(200)];
                    random.nextBytes(b);
                    if (i % 3 == 0 && b.length >= 16) ByteBuffer.wrap(b).putLong(UdpWire.PROTOCOL_ID); // half-plausible
                    junk.send(new DatagramPacket(b, b.length, target));
                }
                // a well-formed announce with a forged connection id gets an error, not service
                byte[] forged = new UdpWire.Announce(0x1234, 77, HASH, PeerId.random(), 0, 0, 0, AnnounceEvent.STARTED,
                        0, 10, 9999).encode();
                junk.send(new DatagramPacket(forged, forged.length, target));
                byte[] in = new byte[512];
                UdpWire.Reply reply;
                do {
                    DatagramPacket p = new DatagramPacket(in, in.length);
                    junk.receive(p);
                    reply = UdpWire.decodeReply(ByteBuffer.wrap(in, 0, p.getLength()), false);
                } while (reply.transactionId() != 77);
                assertThat(reply).isEqualTo(new UdpWire.Error(77, "bad or expired connection id"));
            }
            for (String garbage : List.of("\u0000\u0001\u0002garbage\r\n\r\n", "GET /announce?info_hash=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                    "POST / HTTP/9.9\r\nContent-Length: -5\r\n\r\n", "GET " + "a".repeat(70_000) + " HTTP/1.1\r\n\r\n")) {
                var http = server.httpAddress().orElseThrow();
                try (Socket s = new Socket(http.getAddress(), http.getPort())) {
                    s.setSoTimeout(2000);
                    OutputStream out = s.getOutputStream();
                    out.write(garbage.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    InputStream in = s.getInputStream();
                    in.readNBytes(256); // whatever it says (or nothing), it must not hang on us
                } catch (java.io.IOException e) {
                    // a reset is a fine answer to garbage
                }
            }
            assertThat(announce(server.httpAnnounceUri(), 8002, 5, AnnounceEvent.STARTED).peers()).containsExactly(local(8001));
            assertThat(announce(server.udpAnnounceUri(), 8003, 5, AnnounceEvent.STARTED).peers())
                    .containsExactlyInAnyOrder(local(8001), local(8002));
        }
    }

    @Test
    void absurdNumwantIsCapped() throws Exception {
        // 250 peers, all 127.0.0.1: without per-address limits
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback().withPerAddress(TrackerServerConfig.PerAddressLimits.NONE))) {
            for (int port = 10_000; port < 10_250; port++) {
                server.swarmsForTest().announce(new Swarms.Announce(HASH, local(port), PeerId.random(), 0, AnnounceEvent.STARTED, -1));
            }
            URI base = HttpTrackerProtocol.announceUri(server.httpAnnounceUri(),
                    new AnnounceRequest(HASH, PeerId.random(), 9000, 0, 0, 1, AnnounceEvent.STARTED, 1, 1), Optional.empty());
            for (String numwant : List.of("999999999999999999999999", "2147483648", "-7", "abc")) {
                URI uri = URI.create(base.toString().replace("numwant=1", "numwant=" + numwant));
                byte[] body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                BDict root = (BDict) Bencode.decode(body).root();
                int peers = ((BString) root.get("peers").orElseThrow()).length() / 6;
                int expected = numwant.equals("-7") || numwant.equals("abc") ? 50 : 200;
                assertThat(peers).as("numwant=" + numwant).isEqualTo(expected);
            }
            var udpReply = TrackerServerTest.client(server.udpAnnounceUri(), 9001)
                    .announce(new AnnounceRequest(HASH, PeerId.random(), 9001, 0, 0, 1, AnnounceEvent.STARTED, Integer.MAX_VALUE, 1),
                            TrackerServerTest.SHORT);
            assertThat(udpReply.peers()).hasSize(200);
        }
    }

    @Test
    void tenThousandInfoHashesAgainstACapOfOneThousand() throws Exception {
        var config = TrackerServerConfig.loopback().withCaps(1000, 100, 100_000);
        try (TrackerServer server = TrackerServer.start(config)) {
            announce(server.httpAnnounceUri(), 8101, 0, AnnounceEvent.STARTED); // an established torrent
            Random random = new Random(7);
            List<Throwable> refusals = new ArrayList<>();
            var client = TrackerServerTest.client(server.udpAnnounceUri(), 8102);
            for (int i = 0; i < 10_000; i++) {
                byte[] h = new byte[20];
                random.nextBytes(h);
                try {
                    client.announce(new AnnounceRequest(InfoHash.of(h), PeerId.random(), 8102, 0, 0, 1,
                            AnnounceEvent.STARTED, -1, 1), TrackerServerTest.SHORT);
                } catch (Exception e) {
                    refusals.add(e);
                }
            }
            assertThat(server.torrentCount()).isEqualTo(1000);
            assertThat(refusals).hasSize(10_000 - 999);
            assertThat(refusals.getFirst()).hasMessageEndingWith("tracker refused: tracker is full (1000 torrents)");
            // the established torrent still works, over both protocols
            assertThat(announce(server.httpAnnounceUri(), 8103, 1, AnnounceEvent.STARTED).peers()).containsExactly(local(8101));
            assertThat(announce(server.udpAnnounceUri(), 8104, 1, AnnounceEvent.STARTED).peers()).contains(local(8101));
            assertThat(server.torrentCount()).isEqualTo(1000);
        }
    }

    @Test
    void peersPerTorrentAndTotalPeersAreCapped() throws Exception {
        var config = TrackerServerConfig.loopback().withCaps(10, 5, 7);
        try (TrackerServer server = TrackerServer.start(config)) {
            InfoHash other = InfoHash.fromHex("1111111111111111111111111111111111111111");
            for (InfoHash hash : List.of(HASH, other)) {
                for (int port = 1; port <= 20; port++) {
                    server.swarmsForTest().announce(new Swarms.Announce(hash, local(port), PeerId.random(), 1, AnnounceEvent.STARTED, -1));
                }
            }
            assertThat(server.peerCount(HASH)).isEqualTo(5);
            assertThat(server.peerCount(other)).isEqualTo(2);
            assertThat(server.peerCount()).isEqualTo(7);
            // a peer past the cap is still answered
            assertThat(announce(server.httpAnnounceUri(), 9999, 1, AnnounceEvent.STARTED).peers()).hasSize(5);
        }
    }

    @Test
    void refusesBadAnnouncesWithAReason() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback())) {
            for (var c : List.of(List.of("info_hash=abc&peer_id=" + "x".repeat(20) + "&port=1&left=0", "info_hash must be 20 bytes"),
                    List.of("info_hash=" + "y".repeat(20) + "&peer_id=" + "x".repeat(20) + "&port=0&left=0", "port must be 1..65535"),
                    List.of("info_hash=" + "y".repeat(20) + "&peer_id=" + "x".repeat(20) + "&port=5", "left must be"))) {
                URI uri = URI.create(server.httpAnnounceUri() + "?" + c.get(0));
                byte[] body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(uri, body, null)).hasMessageContaining(c.get(1));
            }
            var http = server.httpAddress().orElseThrow();
            try (Socket s = new Socket(http.getAddress(), http.getPort())) {
                s.getOutputStream().write("GET /announce?info_hash=%ZZ HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                // a query that is not valid percent-encoding is refused before it reaches the store
                assertThat(reply).startsWith("HTTP/1.1 400");
            }
            assertThat(server.torrentCount()).isZero();
        }
    }

}
