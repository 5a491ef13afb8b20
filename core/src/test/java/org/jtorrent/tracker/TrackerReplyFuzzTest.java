package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.testing.LookupGuard;

/**
 * Fuzz targets of what a tracker sends us (docs/fuzzing.md): an HTTP reply, read by
 * {@link HttpGet#readReply} and its body parsed as an announce and as a scrape reply, and a BEP 15
 * datagram read by {@link UdpWire#decodeReply}. Only the documented exceptions come out
 * ({@link IOException} from HTTP, of which {@link TrackerException} from the parsers,
 * {@link UdpWire.MalformedPacket}); the body stays under its cap, the peers under what the bytes
 * can hold, no host name is ever looked up, and what was parsed, written back, parses the same.
 */
class TrackerReplyFuzzTest {
    private static final URI TRACKER = URI.create("http://127.0.0.1:6969/announce");
    /** Ours: port 6881 on loopback; the parser drops it from every peer list. */
    private static final SelfFilter SELF = new SelfFilter(6881, Set.of());
    /** Small, so that the size checks are reached by small inputs. */
    private static final int MAX_BODY = 2048;

    // libFuzzer's dictionary format: control bytes as \xNN escapes (a raw CR or LF ends the entry).
    @DictionaryEntries({"HTTP/1.1 200 OK\\x0D\\x0A", "HTTP/1.0 ", "\\x0D\\x0A\\x0D\\x0A", "Content-Length: ",
            "Transfer-Encoding: chunked\\x0D\\x0A", "Location: ", "\\x0D\\x0A0\\x0D\\x0A\\x0D\\x0A", "7fffffffffffffff",
            "d8:intervali", "5:peers", "6:peers6"})
    @FuzzTest(maxDuration = "60s")
    void httpReply(byte[] input) throws IOException {
        HttpGet.Reply reply;
        try {
            reply = FuzzChecks.boundedAllocation(16L * input.length + 64 * 1024, "HttpGet.readReply",
                    () -> HttpGet.readReply(new ByteArrayInputStream(input), MAX_BODY));
        } catch (IOException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
            return;
        }
        assertThat(reply.body().length).isLessThanOrEqualTo(Math.min(MAX_BODY, input.length));
        announceBody(reply.body());
        scrapeBody(reply.body());
    }

    /** A reply body alone, parsed as an announce and a scrape reply: reaches the parsers without HTTP in the way. */
    @DictionaryEntries({"8:interval", "12:min interval", "5:peers", "6:peers6", "2:ip", "4:port", "14:failure reason",
            "15:warning message", "10:tracker id", "8:complete", "10:incomplete", "5:files", "10:downloaded"})
    @FuzzTest(maxDuration = "60s")
    void announceReply(byte[] body) throws TrackerException {
        announceBody(body);
        scrapeBody(body);
    }

    private static void announceBody(byte[] body) throws TrackerException {
        AnnounceResponse response;
        try {
            response = FuzzChecks.boundedAllocation(200L * body.length + 64 * 1024, "parseAnnounce",
                    () -> LookupGuard.forbidLookups("parseAnnounce", () -> HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF)));
        } catch (TrackerException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
            return;
        }
        assertThat(response.interval().isNegative()).isFalse();
        response.minInterval().ifPresent(d -> assertThat(d.isNegative()).isFalse());
        assertThat(response.peers()).hasSizeLessThanOrEqualTo(body.length / 6).noneMatch(SELF::isSelf);
        assertThat(response.seeders()).isGreaterThanOrEqualTo(-1);
        assertThat(response.leechers()).isGreaterThanOrEqualTo(-1);

        // Written back in the compact form, the response parses the same (peers in a different order:
        // the IPv4 ones first).
        AnnounceResponse again = HttpTrackerProtocol.parseAnnounce(TRACKER, encode(response), SELF);
        assertThat(again.interval()).isEqualTo(response.interval());
        assertThat(again.minInterval()).isEqualTo(response.minInterval());
        assertThat(again.seeders()).isEqualTo(response.seeders());
        assertThat(again.leechers()).isEqualTo(response.leechers());
        assertThat(again.warning()).isEqualTo(response.warning());
        assertThat(again.trackerId()).isEqualTo(response.trackerId());
        assertThat(sorted(again.peers())).isEqualTo(sorted(response.peers()));
    }

    private static byte[] encode(AnnounceResponse r) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("interval", r.interval().toSeconds());
        r.minInterval().ifPresent(d -> dict.put("min interval", d.toSeconds()));
        if (r.seeders() >= 0) dict.put("complete", r.seeders());
        if (r.leechers() >= 0) dict.put("incomplete", r.leechers());
        List<PeerAddress> v4 = r.peers().stream().filter(PeerAddress::isIpv4).toList();
        List<PeerAddress> v6 = r.peers().stream().filter(PeerAddress::isIpv6).toList();
        dict.put("peers", compact(v4, PeerAddress.COMPACT_V4));
        if (!v6.isEmpty()) dict.put("peers6", compact(v6, PeerAddress.COMPACT_V6));
        r.warning().ifPresent(w -> dict.put("warning message", w));
        r.trackerId().ifPresent(id -> dict.put("tracker id", id));
        return Bencode.encode(dict);
    }

    private static byte[] compact(List<PeerAddress> peers, int each) {
        ByteBuffer b = ByteBuffer.allocate(each * peers.size());
        peers.forEach(p -> p.writeCompact(b));
        return b.array();
    }

    private static List<String> sorted(List<PeerAddress> peers) {
        return peers.stream().map(PeerAddress::toString).sorted(Comparator.naturalOrder()).toList();
    }

    private static void scrapeBody(byte[] body) throws TrackerException {
        Map<InfoHash, ScrapeStats> stats;
        try {
            stats = HttpTrackerProtocol.parseScrape(TRACKER, body);
        } catch (TrackerException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
            return;
        }
        assertThat(stats).hasSizeLessThanOrEqualTo(body.length / 23);
        Map<byte[], Object> files = new LinkedHashMap<>();
        stats.forEach((hash, s) -> files.put(hash.bytes(),
                Map.of("complete", s.complete(), "downloaded", s.downloaded(), "incomplete", s.incomplete())));
        assertThat(HttpTrackerProtocol.parseScrape(TRACKER, Bencode.encode(Map.of("files", files)))).isEqualTo(stats);
    }

    /**
     * Input: one byte whose low bit says the tracker was reached over IPv6, then the datagram. Only
     * {@link UdpWire.MalformedPacket}; peers within the datagram's room; a reply encodes back to its
     * datagram (counts over 2^31-1 saturate when written, and IPv4-mapped IPv6 peers are IPv4 peers).
     */
    @FuzzTest(maxDuration = "60s")
    void udpReply(byte[] input) throws UdpWire.MalformedPacket {
        if (input.length < 1) return;
        boolean ipv6 = (input[0] & 1) != 0;
        byte[] packet = Arrays.copyOfRange(input, 1, input.length);
        UdpWire.Reply reply;
        try {
            reply = FuzzChecks.boundedAllocation(32L * packet.length + 64 * 1024, "UdpWire.decodeReply",
                    () -> LookupGuard.forbidLookups("decodeReply", () -> UdpWire.decodeReply(ByteBuffer.wrap(packet), ipv6)));
        } catch (UdpWire.MalformedPacket e) {
            return;
        }
        assertThat(reply.transactionId()).isEqualTo(ByteBuffer.wrap(packet).getInt(4));
        switch (reply) {
            case UdpWire.Connected c -> assertThat(c.encode()).isEqualTo(Arrays.copyOf(packet, 16));
            case UdpWire.Announced a -> {
                int each = ipv6 ? PeerAddress.COMPACT_V6 : PeerAddress.COMPACT_V4;
                assertThat(a.peers()).hasSize((packet.length - 20) / each);
                if (a.peers().stream().allMatch(p -> (p.isIpv6() ? PeerAddress.COMPACT_V6 : PeerAddress.COMPACT_V4) == each)) {
                    assertThat(a.encode()).isEqualTo(packet);
                }
            }
            case UdpWire.Scraped s -> {
                assertThat(s.stats()).hasSize((packet.length - 8) / 12);
                List<ScrapeStats> saturated = new ArrayList<>();
                for (ScrapeStats st : s.stats()) {
                    saturated.add(new ScrapeStats(Math.min(st.complete(), Integer.MAX_VALUE),
                            Math.min(st.downloaded(), Integer.MAX_VALUE), Math.min(st.incomplete(), Integer.MAX_VALUE)));
                }
                assertThat(UdpWire.decodeReply(ByteBuffer.wrap(s.encode()), ipv6)).isEqualTo(new UdpWire.Scraped(s.transactionId(), saturated));
            }
            case UdpWire.Error e -> assertThat(UdpWire.decodeReply(ByteBuffer.wrap(e.encode()), ipv6)).isEqualTo(e);
        }
    }
}
