package org.jtorrent.tracker;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;

/**
 * All of one torrent's trackers, as a torrent engine drives them. The engine calls {@link #announce}
 * with the current counters when {@link #isDue()} (or for an event), and never sleeps here: every
 * call returns within {@code trackers * attemptTimeout} at worst. Time comes from the injected
 * {@link Clock}, so schedules are tested without waiting.
 *
 * <p>Policy (BEP 12): trackers are tried tier by tier in {@link AnnounceTiers} order; the first that
 * answers is promoted and ends the round; one that fails is skipped until its back-off
 * ({@code retryBase * 2^(n-1)}, n consecutive failures, capped at 2^8) expires, and the next one is tried.
 * The next regular announce is due after the answering tracker's interval (at least
 * {@link TrackerConfig#minInterval()}, at most {@link AnnounceResponse#MAX_INTERVAL}), or, if all
 * failed, when the first back-off ends. Whatever a tracker sends, a round ends normally: an
 * unexpected exception is that tracker's failure. {@link #stop} ends the session's announcing.
 */
public final class TrackerSession implements AutoCloseable {
    /** The transfer counters the engine reports on each announce. */
    public record Progress(long uploaded, long downloaded, long left) {
    }

    /**
     * What an announce round produced.
     *
     * @param response  the answer, if some tracker gave one
     * @param answeredBy the tracker that answered
     * @param failures  one-line errors of the trackers tried before (or instead of) it
     */
    public record Outcome(Optional<AnnounceResponse> response, Optional<URI> answeredBy, List<TrackerException> failures) {
        public Outcome {
            failures = List.copyOf(failures);
        }
    }

    private record Backoff(int failures, Instant retryAt) {
    }

    private final AnnounceTiers tiers;
    private final Map<URI, TrackerClient> clients = new LinkedHashMap<>();
    private final Map<URI, Backoff> backoff = new ConcurrentHashMap<>();
    /**
     * Rounds (announce, stop, scrape) run one at a time and may block for their deadlines; the
     * getters do not take this lock, so an engine asking {@link #isDue()} never waits on a tracker.
     * A lock rather than {@code synchronized}: a virtual thread blocked in I/O must not pin its carrier.
     */
    private final ReentrantLock round = new ReentrantLock();
    private final InfoHash infoHash;
    private final PeerId peerId;
    private final int port;
    private final int key;
    private final TrackerConfig config;
    private final Clock clock;
    private volatile Instant nextAnnounce;
    private volatile boolean started;
    private volatile URI lastAnswered;
    /** The round in flight, for {@link #stop} to cancel. */
    private volatile Cancellation inFlight;
    /** Set by {@link #stop}, for good: rounds that start after it do nothing. */
    private volatile boolean stopped;
    /** A {@code completed} no tracker heard yet: the next due announce carries it (trackers count downloads by it). */
    private volatile boolean completedPending;

    /**
     * @param announceList tiers of tracker URLs (a single {@code announce} URL is one tier of one);
     *                     URLs of unsupported schemes are dropped
     */
    public TrackerSession(List<List<URI>> announceList, InfoHash infoHash, PeerId peerId, int port,
                          TrackerConfig config, Clock clock, RandomGenerator random) {
        List<List<URI>> supported = new ArrayList<>();
        SelfFilter self = SelfFilter.forPort(port);
        for (List<URI> tier : announceList) {
            List<URI> ok = new ArrayList<>();
            for (URI u : tier) {
                try {
                    clients.putIfAbsent(u, TrackerClient.forUri(u, config, self, clock));
                    ok.add(u);
                } catch (IllegalArgumentException e) {
                    // unsupported scheme (e.g. wss://) or no host: not a tracker we can use
                }
            }
            supported.add(ok);
        }
        this.tiers = new AnnounceTiers(supported, random);
        this.infoHash = infoHash;
        this.peerId = peerId;
        this.port = port;
        this.key = random.nextInt();
        this.config = config;
        this.clock = clock;
        this.nextAnnounce = clock.instant();
    }

    public AnnounceTiers tiers() {
        return tiers;
    }

    /** When the next regular announce is due. */
    public Instant nextAnnounceAt() {
        return nextAnnounce;
    }

    public boolean isDue() {
        return !clock.instant().isBefore(nextAnnounce);
    }

    /** Whether the tracker is waiting out a back-off now. */
    public boolean isBackingOff(URI tracker) {
        Backoff b = backoff.get(tracker);
        return b != null && clock.instant().isBefore(b.retryAt());
    }

    /**
     * The regular announce if it is due, else empty. The first one carries {@code started}; one after
     * a {@code completed} that no tracker heard carries {@code completed} again.
     */
    public Optional<Outcome> announceIfDue(Progress progress) {
        if (!isDue()) return Optional.empty();
        AnnounceEvent event = !started ? AnnounceEvent.STARTED
                : completedPending ? AnnounceEvent.COMPLETED : AnnounceEvent.NONE;
        return Optional.of(announce(event, progress));
    }

    /** One announce round (see the class comment). */
    public Outcome announce(AnnounceEvent event, Progress progress) {
        return inRound(() -> announceRound(event, progress));
    }

    private Outcome announceRound(AnnounceEvent event, Progress progress) {
        AnnounceRequest request = request(event, progress);
        List<TrackerException> failures = new ArrayList<>();
        Cancellation cancellation = beginRound();
        Instant earliestRetry = null;
        for (URI tracker : tiers.inOrder()) {
            if (cancellation.isCancelled()) return new Outcome(Optional.empty(), Optional.empty(), failures);
            Backoff b = backoff.get(tracker);
            if (b != null && clock.instant().isBefore(b.retryAt())) {
                earliestRetry = min(earliestRetry, b.retryAt());
                continue;
            }
            try {
                AnnounceResponse response = announceTo(clients.get(tracker), request, config.attemptTimeout(), cancellation);
                backoff.remove(tracker);
                tiers.promote(tracker);
                started = true;
                lastAnswered = tracker;
                if (event == AnnounceEvent.COMPLETED) completedPending = false;
                Duration interval = max(response.interval(), config.minInterval());
                nextAnnounce = clock.instant().plus(interval);
                return new Outcome(Optional.of(response), Optional.of(tracker), failures);
            } catch (TrackerException | RuntimeException e) {
                if (cancellation.isCancelled()) return new Outcome(Optional.empty(), Optional.empty(), failures);
                failures.add(asTrackerFailure(tracker, e));
                Backoff next = failed(tracker);
                earliestRetry = min(earliestRetry, next.retryAt());
            }
        }
        if (event == AnnounceEvent.COMPLETED) completedPending = true;
        nextAnnounce = earliestRetry != null ? earliestRetry : clock.instant().plus(config.retryBase());
        return new Outcome(Optional.empty(), Optional.empty(), failures);
    }

    /**
     * A tracker's failure as one line. A RuntimeException is a bug of ours that the tracker's reply
     * set off: it is one tracker's failure like any other (backed off, the next tracker tried), never
     * the end of the round or of the thread that drives it.
     */
    private static TrackerException asTrackerFailure(URI tracker, Exception e) {
        if (e instanceof TrackerException te) return te;
        return TrackerException.failed(tracker, "unexpected error: " + e, e);
    }

    /** Registers the new round for {@link #stop} to cancel; cancelled from the start if the session stopped. */
    private Cancellation beginRound() {
        Cancellation cancellation = new Cancellation();
        inFlight = cancellation;
        // stop() sets stopped, then reads inFlight; we set inFlight, then read stopped (both volatile):
        // one of the two sees the other, so no round slips past a stop.
        if (stopped) cancellation.cancel();
        return cancellation;
    }

    private static AnnounceResponse announceTo(TrackerClient client, AnnounceRequest request, Duration deadline,
                                               Cancellation cancellation) throws TrackerException {
        return switch (client) {
            case HttpTrackerClient http -> http.announce(request, deadline, cancellation);
            case UdpTrackerClient udp -> udp.announce(request, deadline, cancellation);
        };
    }

    /**
     * Tells the tracker that last answered that we leave, with the short {@link TrackerConfig#stoppedTimeout()}:
     * shutting down must not wait on a dead tracker. A round in flight is abandoned first (its
     * requests are cancelled), so {@code stopped} never waits behind an announce to a slow tracker;
     * rounds after this one do nothing. Returns the error, if any; nothing is retried.
     */
    public Optional<TrackerException> stop(Progress progress) {
        abandonRounds();
        return inRound(() -> stopRound(progress));
    }

    /** Cancels the round in flight, and every later one, so that the round lock is free at once. */
    private void abandonRounds() {
        stopped = true;
        Cancellation round = inFlight;
        if (round != null) round.cancel();
    }

    private Optional<TrackerException> stopRound(Progress progress) {
        if (lastAnswered == null) return Optional.empty();
        try {
            TrackerClient client = clients.get(lastAnswered);
            announceTo(client, request(AnnounceEvent.STOPPED, progress), config.stoppedTimeout(), new Cancellation());
            return Optional.empty();
        } catch (TrackerException e) {
            return Optional.of(e);
        } catch (RuntimeException e) {
            return Optional.of(asTrackerFailure(lastAnswered, e));
        } finally {
            started = false;
        }
    }

    /** Scrapes our torrent from the first tracker (in tier order) that answers. */
    public Optional<ScrapeStats> scrape() {
        return inRound(this::scrapeRound);
    }

    private Optional<ScrapeStats> scrapeRound() {
        Cancellation cancellation = beginRound();
        for (URI tracker : tiers.inOrder()) {
            if (cancellation.isCancelled()) break;
            try {
                ScrapeStats s = scrapeFrom(clients.get(tracker), cancellation).get(infoHash);
                if (s != null) return Optional.of(s);
            } catch (TrackerException | RuntimeException e) {
                // next tracker
            }
        }
        return Optional.empty();
    }

    private Map<InfoHash, ScrapeStats> scrapeFrom(TrackerClient client, Cancellation cancellation)
            throws TrackerException {
        return switch (client) {
            case HttpTrackerClient http -> http.scrape(List.of(infoHash), config.attemptTimeout(), cancellation);
            case UdpTrackerClient udp -> udp.scrape(List.of(infoHash), config.attemptTimeout(), cancellation);
        };
    }

    /** Closes the trackers' sockets; call after {@link #stop} (a round still in flight is abandoned). */
    @Override
    public void close() {
        abandonRounds();
        inRound(() -> {
            clients.values().forEach(TrackerClient::close);
            return null;
        });
    }

    private <T> T inRound(Supplier<T> body) {
        round.lock();
        try {
            return body.get();
        } finally {
            round.unlock();
        }
    }

    private AnnounceRequest request(AnnounceEvent event, Progress p) {
        return new AnnounceRequest(infoHash, peerId, port, p.uploaded(), p.downloaded(), p.left(), event, 50, key);
    }

    private Backoff failed(URI tracker) {
        int n = backoff.containsKey(tracker) ? backoff.get(tracker).failures() + 1 : 1;
        long factor = 1L << Math.min(n - 1, 8);
        Backoff b = new Backoff(n, clock.instant().plus(config.retryBase().multipliedBy(factor)));
        backoff.put(tracker, b);
        return b;
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
