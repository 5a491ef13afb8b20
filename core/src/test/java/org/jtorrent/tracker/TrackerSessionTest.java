package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.MutableClock;
import org.jtorrent.testing.ScriptedHttpTracker;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Test;

/** The announce schedule and tier policy, driven by a hand-moved clock against loopback trackers. */
class TrackerSessionTest {
    private static final InfoHash HASH = InfoHash.fromHex("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    private static final TrackerConfig CONFIG = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(2))
            .withMinInterval(Duration.ofSeconds(1)).withRetryBase(Duration.ofSeconds(15));
    private static final TrackerSession.Progress PROGRESS = new TrackerSession.Progress(1, 2, 3);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private static byte[] ok(int interval) {
        return Bencode.encode(Map.of("interval", interval, "peers", new byte[0]));
    }

    private static String param(String query, String name) {
        List<byte[]> v = UrlEncoding.decodeQuery(query.substring(query.indexOf('?') + 1)).get(name);
        return v == null ? null : new String(v.getFirst(), StandardCharsets.UTF_8);
    }

    @Test
    void startedFirstThenRegularAnnouncesOnTheTrackersInterval() throws Exception {
        try (var tracker = TestTrackers.http(200, ok(300));
             var session = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6881, CONFIG, clock, new Random(1))) {
            assertThat(session.isDue()).isTrue();
            session.announceIfDue(PROGRESS).orElseThrow();
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(300));

            clock.advance(Duration.ofSeconds(299));
            assertThat(session.announceIfDue(PROGRESS)).isEmpty();
            clock.advance(Duration.ofSeconds(1));
            assertThat(session.announceIfDue(PROGRESS)).isPresent();
            session.announce(AnnounceEvent.COMPLETED, new TrackerSession.Progress(0, 3, 0));

            assertThat(tracker.queries()).hasSize(3);
            assertThat(param(tracker.queries().get(0), "event")).isEqualTo("started");
            assertThat(param(tracker.queries().get(1), "event")).isNull();
            assertThat(param(tracker.queries().get(2), "event")).isEqualTo("completed");
            assertThat(param(tracker.queries().get(2), "left")).isEqualTo("0");
            assertThat(tracker.queries()).extracting(q -> param(q, "key")).as("key fixed for the run").containsOnly(
                    param(tracker.queries().getFirst(), "key"));
        }
    }

    @Test
    void aCompletedThatNoTrackerHeardIsSentAgainWithTheNextAnnounce() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        try (var tracker = TestTrackers.http(exchange -> new TestTrackers.Reply(down.get() ? 503 : 200, ok(100), null));
             var session = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6881, CONFIG, clock, new Random(1))) {
            session.announceIfDue(PROGRESS).orElseThrow();
            down.set(true);
            assertThat(session.announce(AnnounceEvent.COMPLETED, PROGRESS).response()).isEmpty();
            down.set(false);
            clock.advance(Duration.ofSeconds(15)); // its back-off
            assertThat(session.announceIfDue(PROGRESS).orElseThrow().response()).isPresent();
            clock.advance(Duration.ofSeconds(100));
            session.announceIfDue(PROGRESS).orElseThrow();
            assertThat(tracker.queries()).extracting(q -> param(q, "event"))
                    .containsExactly("started", "completed", "completed", null);
        }
    }

    @Test
    void aTinyIntervalIsRaisedToTheFloor() throws Exception {
        try (var tracker = TestTrackers.http(200, ok(0));
             var session = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6881,
                     CONFIG.withMinInterval(Duration.ofSeconds(60)), clock, new Random(1))) {
            session.announceIfDue(PROGRESS);
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(60));
        }
    }

    @Test
    void theTrackerThatAnswersMovesToTheFrontOfItsTier() throws Exception {
        try (var good = TrackerServer.start(TrackerServerConfig.loopback())) {
            URI dead1 = URI.create("http://127.0.0.1:" + TestTrackers.closedPort() + "/announce");
            URI dead2 = URI.create("udp://127.0.0.1:" + TestTrackers.closedPort());
            URI other = URI.create("http://127.0.0.1:" + TestTrackers.closedPort() + "/announce");
            List<List<URI>> tiers = List.of(List.of(dead1, good.httpAnnounceUri(), dead2), List.of(other));
            for (long seed = 0; seed < 6; seed++) {
                try (var session = new TrackerSession(tiers, HASH, PeerId.random(), 6881, CONFIG, clock, new Random(seed))) {
                    List<URI> before = session.tiers().tiers().getFirst();
                    int deadAhead = before.indexOf(good.httpAnnounceUri());
                    TrackerSession.Outcome o = session.announce(AnnounceEvent.STARTED, PROGRESS);
                    assertThat(o.answeredBy()).contains(good.httpAnnounceUri());
                    assertThat(o.failures()).hasSize(deadAhead); // only the trackers ahead of it were tried
                    assertThat(session.tiers().tiers().getFirst().getFirst()).isEqualTo(good.httpAnnounceUri());
                    assertThat(session.tiers().tiers().get(1)).containsExactly(other);
                }
            }
        }
    }

    @Test
    void whenAllFailTheNextAttemptIsWhenTheFirstBackoffEndsAndBackoffDoubles() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + TestTrackers.closedPort() + "/announce");
        try (var session = new TrackerSession(List.of(List.of(dead)), HASH, PeerId.random(), 6881, CONFIG, clock, new Random(1))) {
            TrackerSession.Outcome first = session.announceIfDue(PROGRESS).orElseThrow();
            assertThat(first.response()).isEmpty();
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(15));
            assertThat(session.announceIfDue(PROGRESS)).isEmpty();

            clock.advance(Duration.ofSeconds(15));
            assertThat(session.announceIfDue(PROGRESS).orElseThrow().failures()).hasSize(1);
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(30));
            clock.advance(Duration.ofSeconds(30));
            session.announceIfDue(PROGRESS).orElseThrow();
            assertThat(session.nextAnnounceAt()).isEqualTo(clock.instant().plusSeconds(60));
        }
    }

    @Test
    void stoppedGoesToTheLastTrackerThatAnsweredAndGivesUpAfterItsShortDeadline() throws Exception {
        AtomicBoolean hang = new AtomicBoolean();
        try (var tracker = TestTrackers.http(exchange -> {
            if (hang.get()) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new TestTrackers.Reply(200, ok(60), null);
        });
             var session = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6881,
                     CONFIG.withAttemptTimeout(Duration.ofSeconds(30)), clock, new Random(1));
             var second = new TrackerSession(List.of(List.of(tracker.uri())), HASH, PeerId.random(), 6882,
                     CONFIG.withAttemptTimeout(Duration.ofSeconds(30)), clock, new Random(1))) {
            session.announceIfDue(PROGRESS).orElseThrow();
            assertThat(session.stop(PROGRESS)).isEmpty();
            assertThat(param(tracker.queries().getLast(), "event")).isEqualTo("stopped");
            assertThat(session.announce(AnnounceEvent.NONE, PROGRESS).response()).as("stopped for good").isEmpty();
            assertThat(tracker.queries()).hasSize(2);

            second.announce(AnnounceEvent.STARTED, PROGRESS);
            hang.set(true);
            long t0 = System.nanoTime();
            var error = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> second.stop(PROGRESS));
            assertThat(error).hasValueSatisfying(e -> assertThat(e.getMessage()).contains("no reply within 2 s"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
        }
    }

    /**
     * Issue 13, finding 6: a round holds the session while it waits on a tracker (30 s here), and
     * {@code stopped} at close waited behind it and gave up. Now stop() abandons the round in flight
     * and the tracker hears {@code stopped} at once; the abandoned round reports no failure of the
     * tracker's, and no round runs after the stop.
     */
    @Test
    void stopAbandonsAnAnnounceInFlightOverHttp() throws Exception {
        try (var tracker = ScriptedHttpTracker.start((n, target) -> n == 1 ? null : ScriptedHttpTracker.reply(new String(ok(60),
                StandardCharsets.ISO_8859_1)))) {
            stopAbandonsTheRoundInFlight(tracker.uri(), () -> tracker.requests().size(),
                    () -> tracker.requests().getLast().contains("&event=stopped"));
        }
    }

    @Test
    void stopAbandonsAnAnnounceInFlightOverUdp() throws Exception {
        AtomicInteger announces = new AtomicInteger();
        List<AnnounceEvent> events = new CopyOnWriteArrayList<>();
        try (var tracker = TestTrackers.udp(packet -> {
            try {
                return switch (UdpWire.decodeRequest(ByteBuffer.wrap(packet))) {
                    case UdpWire.Connect c -> new UdpWire.Connected(c.transactionId(), 42).encode();
                    case UdpWire.Announce a -> {
                        events.add(a.event());
                        yield announces.incrementAndGet() == 2 ? null
                                : new UdpWire.Announced(a.transactionId(), 60, 0, 0, List.of()).encode();
                    }
                    case UdpWire.Scrape sc -> null;
                };
            } catch (UdpWire.MalformedPacket e) {
                return null;
            }
        })) {
            stopAbandonsTheRoundInFlight(tracker.uri(), announces::get, () -> events.getLast() == AnnounceEvent.STOPPED);
        }
    }

    private void stopAbandonsTheRoundInFlight(URI uri, IntSupplier requestsSeen, BooleanSupplier lastWasStopped) throws Exception {
        TrackerConfig patient = CONFIG.withAttemptTimeout(Duration.ofSeconds(30)).withUdpRetransmit(Duration.ofSeconds(30));
        try (var session = new TrackerSession(List.of(List.of(uri)), HASH, PeerId.random(), 6881, patient, clock, new Random(1))) {
            session.announceIfDue(PROGRESS).orElseThrow(); // answered: this tracker will hear "stopped"
            CompletableFuture<TrackerSession.Outcome> inFlight = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> inFlight.complete(session.announce(AnnounceEvent.NONE, PROGRESS)));
            while (requestsSeen.getAsInt() < 2) Thread.sleep(10); // the tracker holds the second announce

            Optional<TrackerException> error = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> session.stop(PROGRESS));

            assertThat(error).isEmpty();
            assertThat(lastWasStopped.getAsBoolean()).as("the tracker heard stopped").isTrue();
            TrackerSession.Outcome abandoned = inFlight.get(5, TimeUnit.SECONDS);
            assertThat(abandoned.response()).isEmpty();
            assertThat(abandoned.failures()).as("abandoning is not the tracker's failure").isEmpty();
            assertThat(session.isBackingOff(uri)).isFalse();
            int seen = requestsSeen.getAsInt();
            assertThat(session.announce(AnnounceEvent.NONE, PROGRESS).response()).isEmpty();
            assertThat(requestsSeen.getAsInt()).as("no announce after stopped").isEqualTo(seen);
        }
    }

    @Test
    void trackerIdIsEchoedAndRedirectsAreFollowedButBounded() throws Exception {
        byte[] withId = Bencode.encode(Map.of("interval", 60, "peers", new byte[0], "tracker id", "xyz 1"));
        try (var tracker = TestTrackers.http(200, withId);
             var redirect = TestTrackers.http(exchange -> new TestTrackers.Reply(302, new byte[0],
                     tracker.uri() + "?" + exchange.getRequestURI().getRawQuery()));
             var loop = TestTrackers.http(exchange -> new TestTrackers.Reply(301, new byte[0], "/announce?again"))) {
            TrackerClient c = TrackerClient.forUri(redirect.uri(), CONFIG, SelfFilter.forPort(1), clock);
            var request = new AnnounceRequest(HASH, PeerId.random(), 6881, 0, 0, 0, AnnounceEvent.NONE, -1, 5);
            c.announce(request, Duration.ofSeconds(2));
            c.announce(request, Duration.ofSeconds(2));
            assertThat(tracker.queries()).hasSize(2);
            assertThat(param(tracker.queries().get(0), "trackerid")).isNull();
            assertThat(param(tracker.queries().get(0), "port")).isEqualTo("6881");
            assertThat(param(tracker.queries().get(1), "trackerid")).isEqualTo("xyz 1");

            TrackerClient looping = TrackerClient.forUri(loop.uri(), CONFIG, SelfFilter.forPort(1), clock);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> looping.announce(request, Duration.ofSeconds(2)))
                    .hasMessageEndingWith("more than 5 redirects");
            assertThat(loop.queries()).hasSize(6);
        }
    }
}
