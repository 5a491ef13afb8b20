package org.jtorrent.tracker;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Lets one thread abandon the tracker requests another thread has in flight. A request registers
 * what it blocks on (its socket); {@link #cancel()} closes all of it, so a blocked connect, TLS
 * handshake or read ends at once, whatever its deadline. One per announce round: {@link
 * TrackerSession#stop} cancels the round in flight, so {@code stopped} never waits behind an
 * announce to a slow tracker.
 */
final class Cancellation {
    private final Set<Closeable> open = new HashSet<>();
    private boolean cancelled;

    /** Tracks {@code resource} until {@link #unregister}; if already cancelled, closes it at once. */
    void register(Closeable resource) {
        synchronized (this) {
            if (!cancelled) {
                open.add(resource);
                return;
            }
        }
        closeQuietly(resource); // the request goes on to fail on its closed socket, and sees isCancelled()
    }

    synchronized void unregister(Closeable resource) {
        open.remove(resource);
    }

    void cancel() {
        Set<Closeable> toClose;
        synchronized (this) {
            cancelled = true;
            toClose = Set.copyOf(open);
            open.clear();
        }
        for (Closeable c : toClose) closeQuietly(c);
    }

    synchronized boolean isCancelled() {
        return cancelled;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing only to wake the request up: nothing to report
        }
    }
}
