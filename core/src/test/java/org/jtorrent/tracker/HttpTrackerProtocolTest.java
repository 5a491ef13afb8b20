package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.LookupGuard;
import org.junit.jupiter.api.Test;

class HttpTrackerProtocolTest {
    private static final URI TRACKER = URI.create("http://127.0.0.1:6969/announce");
    private static final SelfFilter SELF = new SelfFilter(6881, Set.of(InetAddress.getLoopbackAddress()));

    private static byte[] hashWithAwkwardBytes() {
        byte[] h = new byte[20];
        byte[] awkward = {0x00, 0x20, 0x25, 0x2B, (byte) 0x80, (byte) 0xFF, 'a', '~', '&', '='};
        System.arraycopy(awkward, 0, h, 0, awkward.length);
        return h;
    }

    private static AnnounceRequest request(AnnounceEvent event) {
        byte[] id = "-JT0001-abcdefghijkl".getBytes(StandardCharsets.US_ASCII);
        id[19] = (byte) 0x80;
        return new AnnounceRequest(InfoHash.of(hashWithAwkwardBytes()), PeerId.of(id), 6881, 10, 20, 30, event, 50, 0x1234abcd);
    }

    @Test
    void encodesEachRawByteOfTheInfoHash() {
        assertThat(UrlEncoding.percentEncode(hashWithAwkwardBytes()))
                .startsWith("%00%20%25%2B%80%FFa~%26%3D%00");
    }

    @Property
    void percentEncodingIsReversibleByAPlainLatin1Decoder(@ForAll @Size(max = 64) byte[] bytes) {
        String encoded = UrlEncoding.percentEncode(bytes);
        assertThat(encoded).matches("[A-Za-z0-9._~%-]*");
        // java.net.URLDecoder is an independent decoder; ISO-8859-1 maps each char back to one byte
        byte[] back = java.net.URLDecoder.decode(encoded, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(back).isEqualTo(bytes);
        assertThat(UrlEncoding.percentDecode(encoded)).isEqualTo(bytes);
    }

    @Test
    void announceUrlCarriesEveryParameter() {
        URI uri = HttpTrackerProtocol.announceUri(TRACKER, request(AnnounceEvent.STARTED), Optional.of("T 1"));
        Map<String, List<byte[]>> q = UrlEncoding.decodeQuery(uri.getRawQuery());
        assertThat(uri.toString()).startsWith("http://127.0.0.1:6969/announce?info_hash=%00%20%25%2B%80%FF");
        assertThat(q.get("info_hash").getFirst()).isEqualTo(hashWithAwkwardBytes());
        assertThat(q.get("peer_id").getFirst()).isEqualTo(request(AnnounceEvent.NONE).peerId().bytes());
        assertThat(text(q, "port")).isEqualTo("6881");
        assertThat(text(q, "uploaded")).isEqualTo("10");
        assertThat(text(q, "downloaded")).isEqualTo("20");
        assertThat(text(q, "left")).isEqualTo("30");
        assertThat(text(q, "compact")).isEqualTo("1");
        assertThat(text(q, "event")).isEqualTo("started");
        assertThat(text(q, "numwant")).isEqualTo("50");
        assertThat(text(q, "key")).isEqualTo("1234abcd");
        assertThat(text(q, "trackerid")).isEqualTo("T 1");
    }

    @Test
    void regularAnnounceHasNoEventParameter() {
        URI uri = HttpTrackerProtocol.announceUri(TRACKER, request(AnnounceEvent.NONE), Optional.empty());
        assertThat(UrlEncoding.decodeQuery(uri.getRawQuery())).doesNotContainKeys("event", "trackerid");
    }

    @Test
    void appendsWithAmpersandToAnExistingQuery() {
        URI passkey = URI.create("http://127.0.0.1:6969/announce?passkey=s3cr3t");
        URI uri = HttpTrackerProtocol.announceUri(passkey, request(AnnounceEvent.NONE), Optional.empty());
        assertThat(uri.toString()).startsWith("http://127.0.0.1:6969/announce?passkey=s3cr3t&info_hash=%00");
        assertThat(uri.toString()).containsOnlyOnce("?");
    }

    @Test
    void scrapeUrlFollowsBep48() {
        InfoHash h = InfoHash.of(hashWithAwkwardBytes());
        assertThat(HttpTrackerProtocol.scrapeUri(URI.create("http://t:1/x/announce.php?pk=1"), List.of(h, h)))
                .hasValueSatisfying(u -> assertThat(u.toString())
                        .startsWith("http://t:1/x/scrape.php?pk=1&info_hash=%00%20%25%2B%80%FF")
                        .containsPattern("&info_hash=.*&info_hash="));
        assertThat(HttpTrackerProtocol.scrapeUri(URI.create("http://t:1/a"), List.of(h))).isEmpty();
        assertThat(HttpTrackerProtocol.scrapeUri(URI.create("http://t:1/x/announce/y"), List.of(h))).isEmpty();
    }

    @Test
    void parsesCompactAndIpv6PeersAndDropsOurOwnAddress() throws Exception {
        ByteBuffer v4 = ByteBuffer.allocate(18);
        v4.put(new byte[] {10, 0, 0, 1}).putShort((short) 51413);
        v4.put(new byte[] {127, 0, 0, 1}).putShort((short) 6881); // ourselves
        v4.put(new byte[] {(byte) 192, (byte) 168, 1, 2}).putShort((short) 65535);
        ByteBuffer v6 = ByteBuffer.allocate(18);
        v6.put(InetAddress.getByName("2001:db8::7").getAddress()).putShort((short) 6882);
        byte[] body = Bencode.encode(Map.of("interval", 900, "min interval", 60, "complete", 3, "incomplete", 4,
                "peers", v4.array(), "peers6", v6.array(), "warning message", "be nice", "tracker id", "abc"));

        AnnounceResponse r = HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF);

        assertThat(r.peers()).extracting(PeerAddress::toString)
                .containsExactly("10.0.0.1:51413", "192.168.1.2:65535", "[2001:db8:0:0:0:0:0:7]:6882");
        assertThat(r.interval()).isEqualTo(Duration.ofSeconds(900));
        assertThat(r.minInterval()).contains(Duration.ofSeconds(60));
        assertThat(r.seeders()).isEqualTo(3);
        assertThat(r.leechers()).isEqualTo(4);
        assertThat(r.warning()).contains("be nice");
        assertThat(r.trackerId()).contains("abc");
    }

    @Test
    void parsesADictionaryPeerListButNeverResolvesHostNames() throws Exception {
        byte[] body = Bencode.encode(Map.of("interval", 60, "peers", List.of(
                Map.of("ip", "10.1.2.3", "port", 7000, "peer id", new byte[20]),
                Map.of("ip", "::1", "port", 7001),
                Map.of("ip", "tracker.example", "port", 7002),
                Map.of("ip", "10.1.2.4", "port", 0),
                Map.of("port", 7003))));
        AnnounceResponse r = HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF);
        assertThat(r.peers()).extracting(PeerAddress::toString).containsExactly("10.1.2.3:7000", "[0:0:0:0:0:0:0:1]:7001");
        assertThat(r.seeders()).isEqualTo(-1);
        assertThat(r.minInterval()).isEmpty();
    }

    /** Shown by the announce reply fuzz target (docs/fuzzing.md): these went to the resolver as host names through InetAddress.getByName. */
    @Test
    void addressesThatAreNotLiteralsAreSkippedWithoutALookup() throws Exception {
        byte[] body = Bencode.encode(Map.of("interval", 60, "peers", List.of(
                Map.of("ip", "999.0.0.1", "port", 7000),
                Map.of("ip", "1.2.3.256", "port", 7001),
                Map.of("ip", ".:", "port", 7002),
                Map.of("ip", ".1::2", "port", 7003),
                Map.of("ip", "10.0.0.07", "port", 7004),
                Map.of("ip", "::ffff:10.0.0.8", "port", 7005))));
        AnnounceResponse r = LookupGuard.forbidLookups("parseAnnounce", () -> HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF));
        assertThat(r.peers()).extracting(PeerAddress::toString).containsExactly("10.0.0.7:7004", "10.0.0.8:7005");
    }

    @Test
    void failureReasonIsARefusalWithTheTrackersWords() {
        byte[] body = Bencode.encode(Map.of("failure reason", "torrent not\nregistered"));
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF))
                .isInstanceOfSatisfying(TrackerException.class, e -> assertThat(e.isRefusal()).isTrue())
                .hasMessage("http://127.0.0.1:6969/announce: tracker refused: torrent not registered");
    }

    /**
     * Issue 13, 11c: a warning reached the terminal raw. Escape sequences (CSI, OSC with BEL or ST,
     * the C1 CSI) go whole, other controls, line breaks and bidi overrides become spaces, and the
     * text is cut at 200 characters; plain text and non-Latin letters stay as they are.
     */
    @Test
    void warningsAndFailureReasonsAreMadeSafeForATerminal() throws Exception {
        String hostile = "\u001b[2J\u001b[1;31mpay\u001b[0m \u001b]0;owned title\u0007now\u001b]8;;http://x\u001b\\!"
                + "\r\nfake log line\u202etxt.exe\u009b31mred\u0000" + "A".repeat(500);
        byte[] body = Bencode.encode(Map.of("interval", 60, "peers", new byte[0], "warning message", hostile));
        String warning = HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF).warning().orElseThrow();
        assertThat(warning).startsWith("pay now!  fake log line txt.exered A").endsWith("A...").hasSize(203)
                .doesNotContain("[2J", "owned", "http://x", "31m");
        assertThat(warning.chars()).noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);

        byte[] refusal = Bencode.encode(Map.of("failure reason", "\u001b[2Jgo \u001b[5maway\u2028now"));
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, refusal, SELF))
                .hasMessage("http://127.0.0.1:6969/announce: tracker refused: go away now");

        byte[] friendly = Bencode.encode(Map.of("interval", 60, "warning message", "Трекер: обновите клиент 🙂"));
        assertThat(HttpTrackerProtocol.parseAnnounce(TRACKER, friendly, SELF).warning()).contains("Трекер: обновите клиент 🙂");
    }

    /** Issue 13, finding 5: an interval of 2^63-1 s made Instant.plus throw; 10^16 s overflowed toMillis() later. */
    @Test
    void absurdIntervalsAreClampedToADay() throws Exception {
        for (long absurd : new long[] {Long.MAX_VALUE, 10_000_000_000_000_000L, 86_401}) {
            byte[] body = Bencode.encode(Map.of("interval", absurd, "min interval", absurd, "peers", new byte[0]));
            AnnounceResponse r = HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF);
            assertThat(r.interval()).isEqualTo(Duration.ofDays(1)).isEqualTo(AnnounceResponse.MAX_INTERVAL);
            assertThat(r.minInterval()).contains(Duration.ofDays(1));
        }
        byte[] usual = Bencode.encode(Map.of("interval", 1800, "min interval", 0, "peers", new byte[0]));
        assertThat(HttpTrackerProtocol.parseAnnounce(TRACKER, usual, SELF).interval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(HttpTrackerProtocol.parseAnnounce(TRACKER, usual, SELF).minInterval()).contains(Duration.ZERO);
    }

    @Test
    void htmlIsReportedOnOneLine() {
        byte[] html = "<html>\n<body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, html, SELF))
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("not bencode").hasMessageContaining("<html> <body>")
                .hasMessageNotContaining("\n");
    }

    @Test
    void rejectsCompactPeersOfTheWrongLength() {
        byte[] body = Bencode.encode(Map.of("interval", 60, "peers", new byte[7]));
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF))
                .hasMessageContaining("'peers' is 7 bytes, not a multiple of 6");
        byte[] body6 = Bencode.encode(Map.of("interval", 60, "peers6", new byte[6]));
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, body6, SELF))
                .hasMessageContaining("'peers6' is 6 bytes, not a multiple of 18");
    }

    @Test
    void rejectsAnIntervalThatIsNotAnInteger() {
        byte[] body = Bencode.encode(Map.of("interval", "soon"));
        assertThatThrownBy(() -> HttpTrackerProtocol.parseAnnounce(TRACKER, body, SELF))
                .hasMessageContaining("'interval' is a string, not an integer");
    }

    @Test
    void parsesScrapeFiles() throws Exception {
        byte[] h = hashWithAwkwardBytes();
        byte[] body = Bencode.encode(Map.of("files", Map.of(h, Map.of("complete", 5, "downloaded", 9, "incomplete", 2),
                new byte[3], Map.of("complete", 1))));
        assertThat(HttpTrackerProtocol.parseScrape(TRACKER, body))
                .containsExactly(Map.entry(InfoHash.of(h), new ScrapeStats(5, 9, 2)));
    }

    private static String text(Map<String, List<byte[]>> q, String key) {
        return new String(q.get(key).getFirst(), StandardCharsets.UTF_8);
    }
}
