package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jtorrent.peer.PeerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers we know of (from trackers and the command line) and which of them to dial. A peer is
 * its address <em>and</em> port: on one machine, or behind one NAT address, every peer has the
 * same address.
 *
 * <p>One virtual thread looks four times a second for room (open connections plus dials in
 * progress below {@code maxPeers}) and dials due candidates in parallel, each dial bounded by the
 * handshake timeout. A candidate is never dialled twice at once, nor while connected. One whose
 * dial or connection failed waits {@code 0.5 s x 2^(n-1)} (at most 30 s) after its n-th
 * consecutive failure, so a peer that refuses us, or accepts and drops us at once, is never
 * hammered; a connection that delivered data or lasted {@link #HEALTHY_NANOS} resets the count
 * (and is redialled after the base delay). Candidates from
 * trackers are forgotten after {@link #FORGET_AFTER} consecutive failures (the next announce may
 * bring them back); pinned ones (given by the user) are kept. Banned peers are never dialled.
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
    private static final long TICK_MILLIS = 250;

    private static final class Candidate {
        final InetSocketAddress address;
        boolean pinned;
        boolean busy; // dialling or connected
        int failures;
        long retryAt;
        long connectedAt;
        boolean seenComplete;

        Candidate(InetSocketAddress address, boolean pinned) {
            this.address = address;
            this.pinned = pinned;
        }
    }

    private final Torrent torrent;
    private final DownloadOptions options;
    private final Map<InetSocketAddress, Candidate> known = new LinkedHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private int dialing;
    private final Thread loop;
    /** Wakes the loop early when a peer arrives or leaves; a semaphore, as a monitor wait would pin a virtual thread on JDK 21. */
    private final Semaphore wake = new Semaphore(0);

    PeerSet(Torrent torrent, DownloadOptions options) {
        this.torrent = torrent;
        this.options = options;
        this.loop = Thread.ofVirtual().name("peer-set").start(this::run);
    }

    /** Adds peers to dial; {@code pinned} ones (the user's) are never forgotten. */
    synchronized void offer(Collection<InetSocketAddress> peers, boolean pinned) {
        for (InetSocketAddress a : peers) {
            Candidate c = known.computeIfAbsent(a, x -> new Candidate(x, pinned));
            c.pinned |= pinned;
        }
        wake.release();
    }

    synchronized int knownCount() {
        return known.size();
    }

    /** Forgets every idle candidate at the banned address, whatever its port. */
    @Override
    public void banned(InetAddress peer) {
        synchronized (this) {
            known.values().removeIf(c -> !c.busy && peer.equals(c.address.getAddress()));
        }
    }

    @Override
    public void closed(PeerConnection connection) {
        if (!(connection.address() instanceof InetSocketAddress a)) return;
        synchronized (this) {
            Candidate c = known.get(a);
            if (c == null || !c.busy) return; // an incoming connection, or not one we dialled
            c.busy = false;
            c.seenComplete |= connection.peerHasAll();
            long now = System.nanoTime();
            if (connection.downloaded() > 0 || now - c.connectedAt >= HEALTHY_NANOS) {
                c.failures = 0; // it gave us data: worth a prompt redial, but never an instant one
                c.retryAt = now + BACKOFF_BASE_NANOS;
            } else {
                failed(c, now);
            }
            if (torrent.isBanned(a)) known.remove(a);
            wake.release();
        }
    }

    private void run() {
        try {
            while (!closed.get()) {
                for (Candidate c : due()) Thread.ofVirtual().name("dial " + c.address).start(() -> dial(c));
                wake.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Candidates to dial now, marked busy, within the room left under {@code maxPeers}. */
    private synchronized List<Candidate> due() {
        int room = options.maxPeers() - torrent.connectionCount() - dialing;
        List<Candidate> due = new ArrayList<>();
        if (room <= 0) return due;
        long now = System.nanoTime();
        boolean complete = torrent.isComplete();
        for (Candidate c : known.values()) {
            if (due.size() >= room) break;
            if (c.busy || now - c.retryAt < 0 || torrent.isBanned(c.address) || (complete && c.seenComplete)) continue;
            c.busy = true;
            dialing++;
            due.add(c);
        }
        return due;
    }

    private void dial(Candidate c) {
        PeerConnection connection = null;
        try {
            connection = PeerConnection.connect(c.address, new InetSocketAddress(options.bind(), 0), torrent, options.peer());
        } catch (IOException | RuntimeException e) {
            log.info("dialing {} failed: {}", c.address, e.toString());
        }
        synchronized (this) {
            dialing--;
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

    /** Called with the lock held. */
    private void failed(Candidate c, long now) {
        c.failures++;
        if (!c.pinned && c.failures >= FORGET_AFTER) {
            known.remove(c.address);
            return;
        }
        long backoff = Math.min(BACKOFF_MAX_NANOS, BACKOFF_BASE_NANOS << Math.min(c.failures - 1, 16));
        c.retryAt = now + backoff;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        loop.interrupt();
    }
}
