package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.peer.PeerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers we know of (from trackers and the command line) and which of them to dial. A peer is
 * its address <em>and</em> port: on one machine, or behind one NAT address, every peer has the
 * same address.
 *
 * <p>One virtual thread dials due candidates in parallel while there is room (open connections plus
 * dials in progress below {@code maxPeers}, and the session's caps on connections and dials in
 * progress, {@link ConnectionSlots}), each dial bounded by the handshake timeout. It sleeps until the
 * next candidate is due (at most {@link #MAX_NAP_MILLIS}), or with no candidate until one is
 * offered, and wakes early when a peer is offered or leaves: a session of a thousand torrents with
 * nobody to dial costs no polling. A candidate is never dialled twice at once, nor while connected. One whose
 * dial or connection failed waits {@code 0.5 s x 2^(n-1)} (at most 30 s) after its n-th
 * consecutive failure, so a peer that refuses us, or accepts and drops us at once, is never
 * hammered; a connection that delivered data or lasted {@link #HEALTHY_NANOS} resets the count
 * (and is redialled after the base delay). Candidates from
 * trackers are forgotten after {@link #FORGET_AFTER} consecutive failures (the next announce may
 * bring them back); pinned ones (given by the user) are kept. Banned peers are never dialled.
 *
 * <p>Bounded: at most {@link #MAX_CANDIDATES} candidates from trackers (a 4 MiB tracker reply
 * holds about 700,000). When the list is full, a newcomer takes the place of a candidate that
 * failed (the most failures first, then the one a tracker named least recently); candidates not yet
 * tried and those that served us are kept, and a newcomer that finds no failed candidate to replace
 * is dropped (the next announce offers it again). Idle candidates wait in a queue ordered by the time
 * they may be dialled, so a look costs the candidates it dials, not a scan of the list.
 *
 * <p>Once we are complete, a candidate is still dialled unless it was seen complete too: a leecher
 * that does not dial out (Transmission ignores peers at 127.x) can only get data that way.
 */
final class PeerSet implements Torrent.Events, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerSet.class);
    static final long BACKOFF_BASE_NANOS = 500_000_000L;
    static final long BACKOFF_MAX_NANOS = 30_000_000_000L;
    static final long HEALTHY_NANOS = 30_000_000_000L;
    static final int FORGET_AFTER = 8;
    /**
     * The most candidates kept from trackers: libtorrent's {@code max_peerlist_size} is 3,000 (4,000
     * in older versions). At {@code maxPeers} 50 and a dial every few seconds each, more could not
     * be tried before a tracker's next answer anyway. Pinned candidates (the user's) do not count.
     */
    static final int MAX_CANDIDATES = 3000;
    /** The longest sleep: room freed by another torrent (the session's caps) wakes no one here. */
    static final long MAX_NAP_MILLIS = 2000;

    private static final class Candidate {
        final InetSocketAddress address;
        /** Arrival order: among candidates due at the same time, the first offered goes first. */
        final long arrival;
        boolean pinned;
        boolean busy; // dialling or connected; an idle candidate is in the queue
        int failures;
        long retryAt;
        long connectedAt;
        /** When a tracker (or the user) last named it: the older, the sooner it is replaced. */
        long lastOffered;
        boolean seenComplete;
        /** Who named it: {@link PeerSource} bits. */
        int sources;

        Candidate(InetSocketAddress address, boolean pinned, long now, long arrival) {
            this.address = address;
            this.pinned = pinned;
            this.retryAt = now;
            this.lastOffered = now;
            this.arrival = arrival;
        }
    }

    /** nanoTime order (wrap-safe: all times are within minutes of each other), then arrival. */
    private static final Comparator<Candidate> BY_RETRY_AT = (a, b) ->
            a.retryAt != b.retryAt ? Long.compare(a.retryAt - b.retryAt, 0) : Long.compare(a.arrival, b.arrival);
    /** Which failed candidate a newcomer replaces first. */
    private static final Comparator<Candidate> REPLACE_FIRST = Comparator.<Candidate>comparingInt(c -> -c.failures)
            .thenComparing((a, b) -> Long.compare(a.lastOffered - b.lastOffered, 0));

    private final Swarm torrent;
    private final Dialing dialing;
    private final ConnectionSlots slots;
    private final Map<InetSocketAddress, Candidate> known = new HashMap<>();
    /** The idle candidates (neither dialling nor connected), soonest due first. */
    private final TreeSet<Candidate> idle = new TreeSet<>(BY_RETRY_AT);
    private long arrivals;
    private int unpinned;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int dialsInProgress;
    private volatile Thread loop;
    /** Wakes the loop early when a peer arrives or leaves; a semaphore, as a monitor wait would pin a virtual thread on JDK 21. */
    private final Semaphore wake = new Semaphore(0);

    /**
     * How this torrent dials.
     *
     * @param maxPeers connections plus dials in progress of this torrent, at most
     * @param bind     the local address to dial from
     */
    record Dialing(int maxPeers, InetAddress bind, PeerConfig peer) {
    }

    PeerSet(Swarm torrent, Dialing dialing, ConnectionSlots slots) {
        this.torrent = torrent;
        this.dialing = dialing;
        this.slots = slots;
    }

    /** Starts dialling: the loop runs until {@link #close}. Peers offered before wait for it. */
    void start() {
        loop = Thread.ofVirtual().name("peer-set").start(this::run);
    }

    /**
     * Adds peers to dial; {@code pinned} ones (the user's) are never forgotten and never refused.
     * Past {@link #MAX_CANDIDATES}, a newcomer replaces a failed candidate or is dropped.
     */
    void offer(Collection<InetSocketAddress> peers, boolean pinned) {
        offer(peers, pinned ? PeerSource.USER : PeerSource.TRACKER);
    }

    /**
     * Adds peers a connected peer told us of (PEX): candidates as a tracker's are, under the same
     * cap and back-off, counted apart. Banned addresses are not kept.
     */
    void offerExchanged(Collection<InetSocketAddress> peers) {
        offerUnbanned(peers, PeerSource.EXCHANGE);
    }

    /** Adds peers the DHT found: candidates as a tracker's are, counted apart. Banned addresses are not kept. */
    void offerFromDht(Collection<InetSocketAddress> peers) {
        offerUnbanned(peers, PeerSource.DHT);
    }

    private void offerUnbanned(Collection<InetSocketAddress> peers, PeerSource source) {
        List<InetSocketAddress> allowed = new ArrayList<>(peers.size());
        for (InetSocketAddress a : peers) if (!torrent.isBanned(a)) allowed.add(a);
        if (!allowed.isEmpty()) offer(allowed, source);
    }

    /**
     * A peer that told us of these (PEX) says they left: those only PEX named that were never
     * tried are forgotten; a tracker's or the user's stay, and so does one we have dealt with.
     */
    synchronized void exchangeDropped(Collection<InetSocketAddress> peers) {
        for (InetSocketAddress a : peers) {
            Candidate c = known.get(a);
            if (c != null && !c.busy && c.sources == PeerSource.EXCHANGE.bit() && c.failures == 0 && c.connectedAt == 0) forget(c);
        }
    }

    /** How many known candidates each source named (a candidate named by two counts for both). */
    synchronized java.util.Map<PeerSource, Integer> sourceCounts() {
        java.util.Map<PeerSource, Integer> counts = new java.util.EnumMap<>(PeerSource.class);
        for (PeerSource source : PeerSource.values()) counts.put(source, 0);
        for (Candidate c : known.values()) {
            for (PeerSource source : PeerSource.values()) if ((c.sources & source.bit()) != 0) counts.merge(source, 1, Integer::sum);
        }
        return counts;
    }

    private synchronized void offer(Collection<InetSocketAddress> peers, PeerSource source) {
        boolean pinned = source == PeerSource.USER;
        long now = System.nanoTime();
        Iterator<Candidate> replaceable = null; // computed once, when the list is first found full
        int refused = 0;
        for (InetSocketAddress a : peers) {
            Candidate c = known.get(a);
            if (c != null) {
                if (pinned && !c.pinned) unpinned--;
                c.pinned |= pinned;
                c.sources |= source.bit();
                c.lastOffered = now;
                continue;
            }
            if (!pinned && unpinned >= MAX_CANDIDATES) {
                if (replaceable == null) replaceable = replaceable().iterator();
                if (!replaceable.hasNext()) {
                    refused++;
                    continue;
                }
                forget(replaceable.next());
            }
            c = new Candidate(a, pinned, now, arrivals++);
            c.sources = source.bit();
            known.put(a, c);
            if (!pinned) unpinned++;
            idle.add(c);
        }
        if (refused > 0) log.debug("peer list full ({} candidates): {} new peers not kept", unpinned, refused);
        wake.release();
    }

    /** The candidates a newcomer may replace: idle, not pinned, failed at least once; the most failed first. */
    private List<Candidate> replaceable() {
        List<Candidate> failed = new ArrayList<>();
        for (Candidate c : idle) if (!c.pinned && c.failures > 0) failed.add(c);
        failed.sort(REPLACE_FIRST);
        return failed;
    }

    synchronized boolean knows(InetSocketAddress address) {
        return known.containsKey(address);
    }

    synchronized int knownCount() {
        return known.size();
    }

    /** Forgets every idle candidate at the banned address, whatever its port. */
    @Override
    public void banned(InetAddress peer) {
        synchronized (this) {
            // A ban is rare: a scan of the (capped) list is fine. Copied first, as forget() edits it.
            for (Candidate c : List.copyOf(known.values())) {
                if (!c.busy && peer.equals(c.address.getAddress())) forget(c);
            }
        }
    }

    @Override
    public void closed(PeerConnection connection) {
        if (!(connection.address() instanceof InetSocketAddress a)) return;
        // Outside our lock: it takes the connection's, and a reader holding that one may be offering
        // us peers (PEX) at this moment.
        boolean complete = connection.peerHasAll();
        synchronized (this) {
            Candidate c = known.get(a);
            if (c == null || !c.busy) { // an incoming connection, or not one we dialled: its slot is free
                wake.release();
                return;
            }
            c.busy = false;
            c.seenComplete |= complete;
            long now = System.nanoTime();
            if (torrent.isBanned(a)) {
                forget(c);
            } else if (connection.downloaded() > 0 || now - c.connectedAt >= HEALTHY_NANOS) {
                c.failures = 0; // it gave us data: worth a prompt redial, but never an instant one
                retryAt(c, now + BACKOFF_BASE_NANOS);
            } else {
                failed(c, now);
            }
            wake.release();
        }
    }

    /**
     * More was selected after we finished: candidates seen complete were put off while we were
     * (a seed is no use to a finished download); they have what we want now, so they are due at once.
     */
    @Override
    public void unfinished() {
        synchronized (this) {
            long now = System.nanoTime();
            for (Candidate c : List.copyOf(idle)) {
                if (!c.seenComplete) continue;
                idle.remove(c);
                retryAt(c, now);
            }
        }
        wake.release();
    }

    private void run() {
        try {
            while (!closed.get()) {
                for (Candidate c : due()) Thread.ofVirtual().name("dial " + c.address).start(() -> dial(c));
                wake.tryAcquire(napMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Until the first idle candidate is due (within bounds); with none, until one is offered. */
    private synchronized long napMillis() {
        if (idle.isEmpty()) return Long.MAX_VALUE;
        long untilDue = (idle.first().retryAt - System.nanoTime()) / 1_000_000;
        return Math.max(10, Math.min(MAX_NAP_MILLIS, untilDue));
    }

    /**
     * Candidates to dial now, marked busy, within the room left under {@code maxPeers} and the
     * session's caps: taken from the head of the queue, so the cost is the candidates dialled (plus
     * any banned ones dropped).
     */
    private synchronized List<Candidate> due() {
        int room = dialing.maxPeers() - torrent.connectionCount() - dialsInProgress;
        List<Candidate> due = new ArrayList<>();
        if (room <= 0) return due;
        long now = System.nanoTime();
        boolean complete = torrent.isComplete();
        while (due.size() < room && !idle.isEmpty() && idle.first().retryAt - now <= 0) {
            Candidate c = idle.first();
            if (torrent.isBanned(c.address)) {
                idle.pollFirst();
                forget(c);
            } else if (complete && c.seenComplete) {
                idle.pollFirst();
                retryAt(c, now + BACKOFF_MAX_NANOS); // a seed is no use to a seed: look again later
            } else if (slots.tryDial()) {
                idle.pollFirst();
                c.busy = true;
                dialsInProgress++;
                due.add(c);
            } else {
                break; // the session's caps are reached: look again after a nap
            }
        }
        return due;
    }

    private void dial(Candidate c) {
        PeerConnection connection = null;
        try {
            connection = PeerConnection.connect(c.address, new InetSocketAddress(dialing.bind(), 0), torrent, dialing.peer());
        } catch (IOException | RuntimeException e) {
            log.info("dialing {} failed: {}", c.address, e.toString());
        }
        slots.dialEnded();
        synchronized (this) {
            dialsInProgress--;
            if (connection == null || closed.get()) {
                c.busy = false;
                failed(c, System.nanoTime());
            } else {
                c.connectedAt = System.nanoTime();
            }
        }
        if (connection == null) return;
        if (closed.get()) connection.close();
        else torrent.add(connection); // a refusal closes it, and closed() above frees the candidate
    }

    /** Called with the lock held, for a candidate that is not busy and not queued. */
    private void failed(Candidate c, long now) {
        c.failures++;
        if (!c.pinned && c.failures >= FORGET_AFTER) {
            forget(c);
            return;
        }
        long backoff = Math.min(BACKOFF_MAX_NANOS, BACKOFF_BASE_NANOS << Math.min(c.failures - 1, 16));
        retryAt(c, now + backoff);
    }

    /** Queues an idle candidate (not in the queue now) for {@code when}, waking the loop to sleep until the new first one. */
    private void retryAt(Candidate c, long when) {
        c.retryAt = when;
        idle.add(c);
        wake.release();
    }

    /** Forgets a candidate, queued or not (removing one that is not queued finds nothing: arrivals are unique). */
    private void forget(Candidate c) {
        idle.remove(c);
        known.remove(c.address);
        if (!c.pinned) unpinned--;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Thread t = loop;
        if (t != null) t.interrupt();
    }
}
