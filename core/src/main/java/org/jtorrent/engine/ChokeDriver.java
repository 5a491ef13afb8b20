package org.jtorrent.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jtorrent.choke.Choker;
import org.jtorrent.choke.ChokerConfig;
import org.jtorrent.peer.PeerConnection;

/**
 * Runs one {@link Choker} over every active torrent of a session (libtorrent's session-wide unchoke
 * slots): measures each connection's rates between rounds, calls a full round every
 * {@code rechokeInterval}, and fills a freed slot at once when a peer changes its interest or leaves.
 * A peer of a complete torrent is ranked as a seed's peer, the others by what they give us.
 *
 * <p>All decisions happen on this driver's own thread. Connections only {@link #wake()} it: they
 * call in while holding their own lock, and deciding there would take other connections' locks in
 * turn, which deadlocks two such callers.
 */
final class ChokeDriver implements AutoCloseable {
    private final Supplier<? extends Collection<Torrent>> torrents;
    private final ChokerConfig config;
    private final Choker<PeerConnection> choker;
    private final Semaphore wakeups = new Semaphore(0);
    private final Map<PeerConnection, Sample> samples = new HashMap<>(); // driver thread only
    private final Map<PeerConnection, Long> unchokedSince = new HashMap<>(); // driver thread only
    private volatile Thread thread;
    private volatile boolean closed;

    /** Counters at the last round and the rates they gave. */
    private record Sample(long downloaded, long uploaded, long at, long downloadRate, long uploadRate) {
    }

    /** @param torrents the active torrents, asked anew each round */
    ChokeDriver(Supplier<? extends Collection<Torrent>> torrents, ChokerConfig config, Random random) {
        this.torrents = torrents;
        this.config = config;
        this.choker = new Choker<>(config, random);
    }

    void start() {
        thread = Thread.ofVirtual().name("choker").start(this::run);
    }

    /** Something changed (interest, a peer left or came): fill free slots soon. Never blocks. */
    void wake() {
        if (wakeups.availablePermits() == 0) wakeups.release();
    }

    private void run() {
        long interval = config.rechokeInterval().toNanos();
        long nextRound = System.nanoTime(); // the first round right away
        try {
            while (!closed) {
                long wait = nextRound - System.nanoTime();
                boolean woken = wait > 0 && wakeups.tryAcquire(wait, TimeUnit.NANOSECONDS);
                if (closed) return;
                if (woken) {
                    wakeups.drainPermits();
                    apply(choker.fillFreeSlots(candidates(false), System.nanoTime()));
                } else {
                    apply(choker.rechoke(candidates(true), System.nanoTime()));
                    nextRound = System.nanoTime() + interval;
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** What the choker needs to know of every open connection; {@code measure} starts a new rate period. */
    private List<Choker.Candidate<PeerConnection>> candidates(boolean measure) {
        long now = System.nanoTime();
        Map<PeerConnection, Boolean> open = openConnections();
        samples.keySet().retainAll(open.keySet());
        unchokedSince.keySet().retainAll(open.keySet());
        List<Choker.Candidate<PeerConnection>> result = new ArrayList<>(open.size());
        for (Map.Entry<PeerConnection, Boolean> entry : open.entrySet()) {
            PeerConnection c = entry.getKey();
            if (c.isClosed()) continue;
            Sample last = samples.get(c);
            Sample sample = last;
            if (last == null) {
                sample = new Sample(c.downloaded(), c.uploaded(), now, 0, 0);
                samples.put(c, sample);
            } else if (measure && now > last.at()) {
                double seconds = (now - last.at()) / 1e9;
                sample = new Sample(c.downloaded(), c.uploaded(), now,
                        (long) ((c.downloaded() - last.downloaded()) / seconds), (long) ((c.uploaded() - last.uploaded()) / seconds));
                samples.put(c, sample);
            }
            result.add(new Choker.Candidate<>(c, c.isPeerInterested(), c.isSnubbed(), sample.downloadRate(),
                    sample.uploadRate(), c.connectedAt(), unchokedSince.getOrDefault(c, -1L), entry.getValue()));
        }
        return result;
    }

    /** Every open connection of every active torrent, with whether its torrent is complete (seeding). */
    private Map<PeerConnection, Boolean> openConnections() {
        Map<PeerConnection, Boolean> open = new HashMap<>();
        for (Torrent t : torrents.get()) {
            boolean seeding = t.isComplete();
            for (PeerConnection c : t.connections()) open.put(c, seeding);
        }
        return open;
    }

    private void apply(Set<PeerConnection> unchoke) {
        long now = System.nanoTime();
        for (PeerConnection c : openConnections().keySet()) {
            boolean choke = !unchoke.contains(c);
            if (choke) unchokedSince.remove(c);
            else unchokedSince.putIfAbsent(c, now);
            c.choke(choke);
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
