package org.jtorrent.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session's connection caps over all torrents: open connections (dialled and accepted) and
 * dials in progress. Each torrent's own cap is checked by its {@link PeerSet} and {@link Torrent};
 * this is the global one beside it. Lock-free: every connection thread and dialler consults it.
 */
final class ConnectionSlots {
    private final int maxOpen;
    private final int maxHalfOpen;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger halfOpen = new AtomicInteger();

    ConnectionSlots(int maxOpen, int maxHalfOpen) {
        this.maxOpen = maxOpen;
        this.maxHalfOpen = maxHalfOpen;
    }

    /**
     * Takes {@code connection} into {@code open} (a torrent's connections; the caller holds what
     * guards them) with a session slot, or says why not: a second connection to a peer id already
     * there (it dialled us as we dialled it), the torrent's cap {@code maxPeers}, the session's cap.
     * Returns null when taken.
     */
    String admit(java.util.Set<org.jtorrent.peer.PeerConnection> open, org.jtorrent.peer.PeerConnection connection, int maxPeers) {
        for (org.jtorrent.peer.PeerConnection c : open) {
            if (c.remoteHandshake().peerId().equals(connection.remoteHandshake().peerId())) return "already connected to this peer id";
        }
        if (open.size() >= maxPeers) return "too many connections for this torrent";
        if (!tryOpen()) return "too many connections";
        open.add(connection);
        return null;
    }

    /** Dials that may start now without passing either cap. */
    int dialRoom() {
        int h = halfOpen.get();
        return Math.max(0, Math.min(maxHalfOpen - h, maxOpen - open.get() - h));
    }

    /** Takes a dial slot if there is one. */
    boolean tryDial() {
        while (true) {
            int h = halfOpen.get();
            if (h >= maxHalfOpen || open.get() + h >= maxOpen) return false;
            if (halfOpen.compareAndSet(h, h + 1)) return true;
        }
    }

    /** A dial ended; it became a connection or not (if it did, {@link #opened} follows when it is taken). */
    void dialEnded() {
        halfOpen.decrementAndGet();
    }

    /** Whether an incoming connection may be accepted. */
    boolean roomForIncoming() {
        return open.get() < maxOpen;
    }

    /** Counts a connection a torrent took; false (and nothing counted) when the cap is reached. */
    boolean tryOpen() {
        while (true) {
            int n = open.get();
            if (n >= maxOpen) return false;
            if (open.compareAndSet(n, n + 1)) return true;
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }
}
