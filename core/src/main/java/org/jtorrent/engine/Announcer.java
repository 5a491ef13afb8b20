package org.jtorrent.engine;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceResponse;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.TrackerException;
import org.jtorrent.tracker.TrackerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the torrent's trackers: one {@link TrackerSession} per tier of the announce list, each on
 * its own virtual thread, so every tier contributes peers and a dead tier never delays another
 * (libtorrent's {@code announce_to_all_tiers}; within a tier, BEP 12 order and back-off are the
 * session's). Each session announces {@code started} first, then on the tracker's interval;
 * {@code completed} once when the download completes; {@code stopped} on close. A peer-starved
 * download (no connection, incomplete) announces again after {@link #STARVED_RETRY} or the tracker's
 * {@code min interval}, whichever is longer, instead of waiting out a 30-minute interval.
 */
final class Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Announcer.class);
    static final Duration STARVED_RETRY = Duration.ofSeconds(30);
    static final Duration ERROR_BACKOFF_MIN = Duration.ofSeconds(1);
    static final Duration ERROR_BACKOFF_MAX = Duration.ofMinutes(5);

    private final List<TrackerSession> sessions = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Supplier<TrackerSession.Progress> progress;
    private final Consumer<List<InetSocketAddress>> peers;
    private final BooleanSupplier starved;
    private final BooleanSupplier needsData;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Clock clock = Clock.systemUTC();
    private volatile boolean completed;
    /**
     * Wakes the loops early (completion, close). Not {@code Thread.interrupt()}: that could abort an
     * announce in flight. A loop that misses a permit wakes within its nap ({@link #MAX_NAP_MILLIS}) anyway.
     */
    private final Semaphore wake = new Semaphore(0);

    /**
     * @param tiers     the announce list; URLs that do not parse are skipped
     * @param progress  the counters for each announce
     * @param peers     receives the peers of every answer
     * @param starved   whether the download has no peer and still needs data
     * @param needsData whether the download still needs data (it may starve): bounds the loops' naps
     *                  by {@link #MAX_NAP_MILLIS} rather than {@link #COMPLETE_MAX_NAP_MILLIS}
     */
    Announcer(List<List<String>> tiers, InfoHash infoHash, PeerId peerId, int port, TrackerConfig config,
              Supplier<TrackerSession.Progress> progress, Consumer<List<InetSocketAddress>> peers, BooleanSupplier starved,
              BooleanSupplier needsData) {
        this.progress = progress;
        this.peers = peers;
        this.starved = starved;
        this.needsData = needsData;
        RandomGenerator random = RandomGenerator.getDefault();
        for (List<String> tier : tiers) {
            List<URI> uris = new ArrayList<>();
            for (String url : tier) {
                try {
                    uris.add(URI.create(url));
                } catch (IllegalArgumentException e) {
                    log.warn("ignoring tracker URL {}: {}", url, e.getMessage());
                }
            }
            TrackerSession s = new TrackerSession(List.of(uris), infoHash, peerId, port, config, clock, random);
            if (!s.tiers().inOrder().isEmpty()) sessions.add(s);
            else s.close();
        }
    }

    int trackerTiers() {
        return sessions.size();
    }

    void start() {
        for (TrackerSession s : sessions) threads.add(Thread.ofVirtual().name("announce").start(() -> run(s)));
    }

    /** The download completed: each session sends {@code completed} at once. */
    void completed() {
        completed = true;
        wake.release(threads.size());
    }

    private void run(TrackerSession session) {
        boolean toldCompleted = false;
        Instant starvedRetryAt = Instant.MAX;
        Duration errorBackoff = ERROR_BACKOFF_MIN;
        Instant pausedUntil = Instant.MIN;
        while (!closed.get()) {
            if (clock.instant().isBefore(pausedUntil)) {
                sleep(napMillis(Duration.between(clock.instant(), pausedUntil), true));
                continue;
            }
            Duration wait;
            try {
                Optional<TrackerSession.Outcome> outcome = Optional.empty();
                if (completed && !toldCompleted) {
                    outcome = Optional.of(session.announce(AnnounceEvent.COMPLETED, progress.get()));
                    toldCompleted = true;
                } else if (session.isDue() || (starved.getAsBoolean() && !clock.instant().isBefore(starvedRetryAt))) {
                    outcome = session.isDue() ? session.announceIfDue(progress.get())
                            : Optional.of(session.announce(AnnounceEvent.NONE, progress.get()));
                }
                if (outcome.isPresent()) {
                    starvedRetryAt = report(outcome.get());
                }
                wait = Duration.between(clock.instant(), session.nextAnnounceAt());
                if (starved.getAsBoolean()) wait = min(wait, Duration.between(clock.instant(), starvedRetryAt));
                errorBackoff = ERROR_BACKOFF_MIN;
            } catch (RuntimeException e) {
                // A bug set off by what a tracker sent, or by our own callbacks: one line, a pause
                // that grows while it repeats, and the tier goes on; the thread must not die with it.
                log.warn("announce loop for {}: unexpected {}; retrying in {} s", session.tiers().inOrder(),
                        e, errorBackoff.toSeconds());
                pausedUntil = clock.instant().plus(errorBackoff);
                errorBackoff = min(errorBackoff.multipliedBy(2), ERROR_BACKOFF_MAX);
                continue;
            }
            sleep(napMillis(wait, needsData.getAsBoolean()));
        }
    }

    /**
     * The longest nap: a loop looks again at least this often, for a download that has just lost its
     * last peer (it may announce {@link #STARVED_RETRY} after the last answer, so a few seconds late
     * costs nothing). Not one second: a session of a thousand torrents would wake a thousand times a
     * second for nothing.
     */
    static final long MAX_NAP_MILLIS = 5000;

    /**
     * The longest nap of a download that needs no data (a seeder): it cannot starve, so nothing but
     * its tracker's time (or {@link #completed}, {@link #close}, which wake it) is worth a look. Not
     * unbounded, in case it needs data again without a new run. A session seeding 1,000 torrents
     * to a dead tracker woke 200 times a second with 5 s naps, about 17 with these.
     */
    static final long COMPLETE_MAX_NAP_MILLIS = 60_000;

    /**
     * How long to nap before looking again: the wait, between 50 ms and {@link #MAX_NAP_MILLIS}
     * while the download may starve, else {@link #COMPLETE_MAX_NAP_MILLIS} (a wait of centuries included).
     */
    static long napMillis(Duration wait, boolean mayStarve) {
        long longest = mayStarve ? MAX_NAP_MILLIS : COMPLETE_MAX_NAP_MILLIS;
        // Compared before toMillis(), which overflows past 292 million years.
        if (wait.compareTo(Duration.ofMillis(longest)) >= 0) return longest;
        return Math.max(50, wait.toMillis());
    }

    /** Logs the outcome, hands its peers on; returns when a starved download may announce again. */
    private Instant report(TrackerSession.Outcome o) {
        for (TrackerException e : o.failures()) log.info("tracker: {}", e.getMessage());
        if (o.response().isEmpty()) return Instant.MAX; // the session's own back-off decides
        AnnounceResponse r = o.response().get();
        r.warning().ifPresent(w -> log.warn("tracker {} warns: {}", o.answeredBy().orElse(null), w));
        List<InetSocketAddress> found = new ArrayList<>(r.peers().size());
        for (PeerAddress p : r.peers()) found.add(p.toSocketAddress());
        log.info("tracker {}: {} peers", o.answeredBy().orElse(null), found.size());
        peers.accept(found);
        Duration floor = r.minInterval().filter(m -> m.compareTo(STARVED_RETRY) > 0).orElse(STARVED_RETRY);
        return clock.instant().plus(floor);
    }

    private void sleep(long millis) {
        try {
            wake.tryAcquire(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.set(true);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Stops the loops and tells each tracker {@code stopped} (bounded by its stopped timeout). An
     * announce still in flight does not delay that: {@link TrackerSession#stop} abandons it first.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        wake.release(threads.size());
        TrackerSession.Progress last = progress.get();
        List<Thread> stopping = new ArrayList<>();
        for (TrackerSession s : sessions) {
            stopping.add(Thread.ofVirtual().name("announce-stop").start(() -> {
                s.stop(last).ifPresent(e -> log.info("tracker stop: {}", e.getMessage()));
                s.close();
            }));
        }
        joinAll(stopping, Duration.ofSeconds(5));
        joinAll(threads, Duration.ofSeconds(2)); // their rounds were abandoned: they end at their next look
    }

    private static void joinAll(List<Thread> threads, Duration each) {
        for (Thread t : threads) {
            try {
                t.join(each);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
