package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.MutableClock;
import org.jtorrent.testing.ScriptedHttpTracker;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each way a tracker can fail, against a real misbehaving server on loopback: the error is one line
 * naming the tracker and the problem, the call ends within its deadline, the session falls through
 * to the next tier, skips the broken tracker during its back-off and tries it again after.
 */
class BrokenTrackersTest {
    private static final Duration DEADLINE = Duration.ofMillis(1200);
    private static final TrackerConfig CONFIG = TrackerConfig.DEFAULT.withAttemptTimeout(DEADLINE)
            .withUdpRetransmit(Duration.ofMillis(400)).withRetryBase(Duration.ofSeconds(15));
    private static final InfoHash HASH = InfoHash.fromHex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

    interface Starter {
        TestTrackers.Running start() throws Exception;
    }

    static Stream<Arguments> brokenTrackers() {
        byte[] failure = Bencode.encode(Map.of("failure reason", "unregistered torrent"));
        byte[] html = "<!DOCTYPE html>\n<html><body>Welcome to nginx!</body></html>".getBytes(StandardCharsets.UTF_8);
        byte[] bigBencode = Bencode.encode(Map.of("interval", 60, "peers", new byte[(4 << 20) + 6]));
        return Stream.of(
                Arguments.of("connection refused (HTTP)", (Starter) () -> {
                    int port = TestTrackers.closedPort();
                    return new TestTrackers.Running(URI.create("http://127.0.0.1:" + port + "/announce"), () -> { }, List.of());
                }, "connection refused"),
                Arguments.of("unreachable (UDP, ICMP port unreachable)", (Starter) () -> {
                    int port = TestTrackers.closedPort();
                    return new TestTrackers.Running(URI.create("udp://127.0.0.1:" + port), () -> { }, List.of());
                }, "connection refused (ICMP port unreachable)"),
                Arguments.of("HTTP 500", (Starter) () -> TestTrackers.http(500, "oops".getBytes()), "HTTP 500"),
                Arguments.of("HTML instead of bencode", (Starter) () -> TestTrackers.http(200, html),
                        "reply is not bencode"),
                Arguments.of("failure reason", (Starter) () -> TestTrackers.http(200, failure),
                        "tracker refused: unregistered torrent"),
                Arguments.of("reply past the 4 MiB cap (Content-Length)", (Starter) () -> TestTrackers.http(200, bigBencode),
                        "reply larger than 4194304 bytes, refused"),
                Arguments.of("reply past the 4 MiB cap (chunked)", (Starter) () -> TestTrackers.httpChunked(8 << 20),
                        "reply larger than 4194304 bytes, refused"),
                Arguments.of("chunk sizes 1 then 2^63-1 (the size check overflowed)", (Starter) () -> scripted((n, target) ->
                                ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nd\r\n7fffffffffffffff\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1)),
                        "reply larger than 4194304 bytes, refused"),
                Arguments.of("never answers (HTTP)", (Starter) TestTrackers::silentTcp, "no reply within 1200 ms"),
                Arguments.of("never answers (UDP)", (Starter) () -> TestTrackers.udp(request -> null), "no reply within 1200 ms"),
                Arguments.of("truncated UDP packet", (Starter) () -> TestTrackers.udp(request ->
                                ByteBuffer.allocate(12).putInt(0).putInt(TestTrackers.transactionId(request)).array()),
                        "truncated connect reply: 12 bytes, need 16"),
                Arguments.of("wrong transaction id", (Starter) () -> TestTrackers.udp(request ->
                                ByteBuffer.allocate(16).putInt(0).putInt(TestTrackers.transactionId(request) + 1).putLong(7).array()),
                        "ignored"),
                Arguments.of("UDP error action", (Starter) () -> TestTrackers.udp(request ->
                                new UdpWire.Error(TestTrackers.transactionId(request), "go away").encode()),
                        "tracker refused: go away"));
    }

    private static TestTrackers.Running scripted(ScriptedHttpTracker.Script script) throws IOException {
        ScriptedHttpTracker tracker = ScriptedHttpTracker.start(script);
        return new TestTrackers.Running(tracker.uri(), tracker::close, tracker.requests());
    }

    /**
     * Issue 13, finding 5: an interval of 2^63-1 s made the session's Instant.plus throw out of the
     * round (and out of the announce thread); 10^16 s passed here but overflowed the announcer's
     * toMillis(). Both are clamped to a day: the answer counts, the next announce is a day away.
     */
    @ParameterizedTest(name = "interval {0}")
    @ValueSource(longs = {Long.MAX_VALUE, 10_000_000_000_000_000L})
    void anAbsurdIntervalIsClampedAndTheAnswerCounts(long interval) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        String reply = "d8:intervali" + interval + "e12:min intervali" + interval + "e5:peers6:\u007f\u0000\u0000\u0002\u001a\u00e2e";
        try (ScriptedHttpTracker tracker = ScriptedHttpTracker.start((n, target) -> ScriptedHttpTracker.reply(reply));
             TrackerSession session = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6881, CONFIG,
                     clock, new Random(1))) {
            TrackerSession.Outcome outcome = session.announceIfDue(new TrackerSession.Progress(0, 0, 100)).orElseThrow();
            assertThat(outcome.failures()).isEmpty();
            AnnounceResponse response = outcome.response().orElseThrow();
            assertThat(response.interval()).isEqualTo(Duration.ofDays(1));
            assertThat(response.minInterval()).contains(Duration.ofDays(1));
            assertThat(response.peers()).extracting(PeerAddress::toString).containsExactly("127.0.0.2:6882");
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plus(Duration.ofDays(1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenTrackers")
    void oneLineErrorNoHang(String name, Starter starter, String expected) throws Exception {
        try (TestTrackers.Running broken = starter.start()) {
            TrackerClient client = TrackerClient.forUri(broken.uri(), CONFIG, SelfFilter.forPort(6881), Clock.systemUTC());
            AnnounceRequest request = new AnnounceRequest(HASH, PeerId.random(), 6881, 0, 0, 1, AnnounceEvent.STARTED, -1, 1);
            assertTimeoutPreemptively(DEADLINE.plusSeconds(2), () ->
                    assertThatThrownBy(() -> client.announce(request, DEADLINE))
                            .isInstanceOf(TrackerException.class)
                            .hasMessageStartingWith(broken.uri() + ": ")
                            .hasMessageContaining(expected)
                            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(300)));
            client.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenTrackers")
    void sessionFallsThroughToTheNextTierAndRetriesLater(String name, Starter starter, String expected) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TestTrackers.Running broken = starter.start();
             TrackerServer good = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(120)))) {
            List<List<URI>> tiers = List.of(List.of(broken.uri()), List.of(good.httpAnnounceUri()));
            try (TrackerSession session = new TrackerSession(tiers, HASH, PeerId.random(), 6881, CONFIG, clock, new Random(1))) {
                var progress = new TrackerSession.Progress(0, 0, 100);

                TrackerSession.Outcome first = assertTimeoutPreemptively(DEADLINE.plusSeconds(3),
                        () -> session.announceIfDue(progress).orElseThrow());
                assertThat(first.answeredBy()).contains(good.httpAnnounceUri());
                assertThat(first.failures()).singleElement().satisfies(e -> assertThat(e.getMessage()).contains(expected));
                assertThat(session.isBackingOff(broken.uri())).isTrue();
                assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(120));

                clock.advance(Duration.ofSeconds(10)); // within the 15 s back-off: the broken tracker is skipped
                assertThat(session.announce(AnnounceEvent.NONE, progress).failures()).isEmpty();

                clock.advance(Duration.ofSeconds(120)); // back-off over: tier 1 is tried again first, and fails again
                TrackerSession.Outcome later = session.announceIfDue(progress).orElseThrow();
                assertThat(later.failures()).singleElement().satisfies(e -> assertThat(e.getMessage()).contains(expected));
                assertThat(later.answeredBy()).contains(good.httpAnnounceUri());
            }
        }
    }
}
