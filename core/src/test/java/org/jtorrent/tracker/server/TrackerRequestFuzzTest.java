package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceResponse;
import org.jtorrent.tracker.HttpTrackerProtocol;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.SelfFilter;
import org.jtorrent.tracker.TrackerException;
import org.jtorrent.tracker.UdpWire;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.testing.LookupGuard;

/**
 * Fuzz targets of the embedded tracker's request handling (docs/fuzzing.md), run on bytes without
 * a socket: the bytes of an HTTP request, handled by {@link HttpFrontEnd#respond} from the request
 * head to the reply, and a BEP 15 datagram, handled as {@link UdpFrontEnd} does. No
 * exception may come out at all (a bad request is a refusal or silence), no host name is looked
 * up; a reply is well formed for
 * our own client, answers the request it was for, and stays within the configured caps.
 */
class TrackerRequestFuzzTest {
    /** The torrent the swarm is seeded with; the seed inputs announce for it. */
    static final InfoHash KNOWN = InfoHash.of(filled(20, (byte) 0x01));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final TrackerServerConfig CONFIG = TrackerServerConfig.loopback().withCaps(50, 20, 200);
    private static final ConnectionIds IDS = new ConnectionIds(CLOCK);
    private static final SelfFilter NOBODY = new SelfFilter(0, Set.of());
    private static final URI TRACKER = URI.create("http://127.0.0.1/announce");

    /** A fresh tracker state per input, so that an input's outcome does not depend on the ones before. */
    private static Swarms swarmWithPeers() {
        Swarms swarms = new Swarms(CONFIG, CLOCK);
        for (int i = 1; i <= 3; i++) {
            try {
                PeerAddress peer = new PeerAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i}), 6880 + i);
                PeerAddress peer6 = new PeerAddress(InetAddress.getByName("fd00::" + i), 6880 + i);
                swarms.announce(new Swarms.Announce(KNOWN, peer, PeerId.random(), i == 1 ? 0 : 100, AnnounceEvent.STARTED, 0));
                swarms.announce(new Swarms.Announce(KNOWN, peer6, PeerId.random(), 100, AnnounceEvent.STARTED, 0));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return swarms;
    }

    private static InetAddress client(byte flags) {
        try {
            return InetAddress.getByName((flags & 2) != 0 ? "fd00::99" : "10.0.0.99");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Input: a flags byte (bit 1: the client is IPv6), then the bytes of an HTTP request as they
     * arrive on the connection: the request line, headers, query, all of it parsed by our code.
     */
    // libFuzzer's dictionary format: control bytes as \xNN escapes (a raw CR or LF ends the entry).
    @DictionaryEntries({"GET /announce?", "GET /scrape?", " HTTP/1.1\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A", "\\x0A\\x0A", "info_hash=", "&peer_id=",
            "&port=", "&left=", "&numwant=", "&compact=0", "&no_peer_id=1", "&event=", "started", "stopped", "completed",
            "%01", "%", "#"})
    @FuzzTest(maxDuration = "60s")
    void httpRequest(byte[] input) throws TrackerException {
        if (input.length < 1) return;
        InetAddress from = client(input[0]);
        Swarms swarms = swarmWithPeers();
        LongAdder announces = new LongAdder();
        long limit = 64L * input.length + 256 * 1024;
        HttpFrontEnd.Response response = FuzzChecks.boundedAllocation(limit, "HttpFrontEnd.respond",
                () -> LookupGuard.forbidLookups("HttpFrontEnd.respond", () -> {
                    try {
                        return HttpFrontEnd.respond(new ByteArrayInputStream(input, 1, input.length - 1), from, swarms, CONFIG, announces);
                    } catch (IOException e) {
                        // the only way out: the bytes ended before the head did (the client went away)
                        assertThat(e).hasMessageContaining("before the end of the request head");
                        return null;
                    }
                }));
        if (response == null) return;
        if (response.status() != 200) {
            assertThat(response.status()).isIn(400, 404, 405, 431);
            assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isNotBlank().endsWith("\n");
            assertThat(announces.sum()).isZero();
            return;
        }
        byte[] reply = response.body();
        BDict root = (BDict) Bencode.decode(reply).root();
        if (announces.sum() == 0) { // a scrape
            if (root.containsKey("failure reason")) return;
            Map<InfoHash, ScrapeStats> stats = HttpTrackerProtocol.parseScrape(TRACKER, reply);
            assertThat(stats).isNotEmpty().hasSizeLessThanOrEqualTo(100);
            stats.forEach((hash, s) -> assertThat(s).isEqualTo(hash.equals(KNOWN) ? new ScrapeStats(1, 0, 5) : new ScrapeStats(0, 0, 0)));
            return;
        }
        AnnounceResponse parsed;
        try {
            parsed = HttpTrackerProtocol.parseAnnounce(TRACKER, reply, NOBODY);
        } catch (TrackerException e) {
            assertThat(e.isRefusal()).as("a reply our client cannot read: %s", e.getMessage()).isTrue();
            assertThat(root.containsKey("interval")).isFalse();
            return;
        }
        assertThat(parsed.interval()).isEqualTo(CONFIG.interval());
        assertThat(parsed.peers()).hasSizeLessThanOrEqualTo(CONFIG.maxNumWant())
                .noneMatch(p -> p.ip().equals(from));
        assertThat(parsed.seeders() + parsed.leechers()).isBetween(0, CONFIG.maxPeersPerTorrent());
    }

    /**
     * Input: a flags byte (bit 0: give the packet a valid connection id, which no fuzzer could guess;
     * bit 1: the client is IPv6), then the datagram.
     */
    @FuzzTest(maxDuration = "60s")
    void udpRequest(byte[] input) throws UdpWire.MalformedPacket {
        if (input.length < 1) return;
        InetSocketAddress from = new InetSocketAddress(client(input[0]), 40000);
        byte[] packet = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & 1) != 0 && packet.length >= 8) ByteBuffer.wrap(packet).putLong(0, IDS.issue(from));

        // The request alone: decode, encode, decode gives the same request.
        UdpWire.Request request;
        try {
            request = UdpWire.decodeRequest(ByteBuffer.wrap(packet));
            assertThat(UdpWire.decodeRequest(ByteBuffer.wrap(request.encode()))).isEqualTo(request);
        } catch (UdpWire.MalformedPacket e) {
            request = null;
        }

        Swarms swarms = swarmWithPeers();
        LongAdder announces = new LongAdder();
        byte[] reply = FuzzChecks.boundedAllocation(32L * packet.length + 256 * 1024, "UdpFrontEnd.answer",
                () -> LookupGuard.forbidLookups("UdpFrontEnd.answer",
                        () -> UdpFrontEnd.answer(ByteBuffer.wrap(packet), from, IDS, swarms, CONFIG, announces)));
        if (request == null) {
            assertThat(reply).as("a malformed packet is dropped silently").isNull();
            return;
        }
        assertThat(reply).isNotNull().hasSizeLessThanOrEqualTo(20 + PeerAddress.COMPACT_V6 * CONFIG.maxNumWant());
        boolean v6 = from.getAddress() instanceof java.net.Inet6Address;
        UdpWire.Reply decoded = UdpWire.decodeReply(ByteBuffer.wrap(reply), v6);
        assertThat(decoded.transactionId()).isEqualTo(request.transactionId());
        switch (request) {
            case UdpWire.Connect c -> assertThat(decoded).isInstanceOf(UdpWire.Connected.class);
            case UdpWire.Announce a -> {
                if (decoded instanceof UdpWire.Announced announced) {
                    assertThat(announces.sum()).isPositive(); // twice if the allocation check measured it again
                    assertThat(announced.peers()).hasSizeLessThanOrEqualTo(CONFIG.maxNumWant())
                            .allMatch(p -> p.isIpv6() == v6)
                            .noneMatch(p -> p.ip().equals(from.getAddress()) && p.port() == a.port());
                } else {
                    assertThat(decoded).isInstanceOf(UdpWire.Error.class);
                }
            }
            case UdpWire.Scrape s -> {
                if (decoded instanceof UdpWire.Scraped scraped) {
                    assertThat(scraped.stats()).hasSize(s.hashes().size());
                    Set<InfoHash> distinct = new HashSet<>(s.hashes());
                    assertThat(distinct.size()).isLessThanOrEqualTo(UdpWire.MAX_SCRAPE_HASHES);
                } else {
                    assertThat(decoded).isInstanceOf(UdpWire.Error.class);
                }
            }
        }
    }

    static byte[] filled(int n, byte b) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }
}
