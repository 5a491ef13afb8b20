package org.jtorrent.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An LRU cache of open channels, so a torrent of 100,000 files does not exhaust file descriptors.
 * Channels are reference-counted: one evicted while another thread still reads or writes through
 * it is closed when that thread releases it, never under its feet. The cap is therefore soft by at
 * most the number of concurrent I/O threads.
 */
final class FileHandles implements AutoCloseable {

    /** A channel lent out by {@link #acquire}; give it back with {@link #close()}. */
    final class Lease implements AutoCloseable {
        private final Handle handle;

        private Lease(Handle handle) {
            this.handle = handle;
        }

        FileChannel channel() {
            return handle.channel;
        }

        @Override
        public void close() throws IOException {
            release(handle);
        }
    }

    private static final class Handle {
        final FileChannel channel;
        int users;
        boolean evicted;

        Handle(FileChannel channel) {
            this.channel = channel;
        }
    }

    @FunctionalInterface
    interface Opener {
        FileChannel open(int file) throws IOException;
    }

    private final int cap;
    private final Opener opener;
    private final LinkedHashMap<Integer, Handle> open = new LinkedHashMap<>(16, 0.75f, true);
    private int opened;

    FileHandles(int cap, Opener opener) {
        if (cap < 1) throw new IllegalArgumentException("open file cap must be at least 1");
        this.cap = cap;
        this.opener = opener;
    }

    Lease acquire(int file) throws IOException {
        synchronized (this) {
            Handle h = open.get(file);
            if (h != null && !h.channel.isOpen()) { // closed under us (an interrupted thread): reopen
                open.remove(file);
                h.evicted = true;
                h = null;
            }
            if (h != null) {
                h.users++;
                return new Lease(h);
            }
        }
        // Opening may block on the disk: do it outside the lock. A race opens the file twice; the
        // loser's channel is closed.
        FileChannel channel = opener.open(file);
        Handle mine = new Handle(channel);
        Handle chosen;
        synchronized (this) {
            Handle existing = open.get(file);
            if (existing != null) {
                chosen = existing;
            } else {
                chosen = mine;
                open.put(file, mine);
                opened++;
                evictOverCap();
            }
            chosen.users++;
        }
        if (chosen != mine) channel.close();
        return new Lease(chosen);
    }

    private void evictOverCap() throws IOException {
        Iterator<Map.Entry<Integer, Handle>> it = open.entrySet().iterator();
        while (open.size() > cap && it.hasNext()) {
            Handle h = it.next().getValue();
            it.remove();
            h.evicted = true;
            if (h.users == 0) h.channel.close();
        }
    }

    private void release(Handle h) throws IOException {
        boolean close;
        synchronized (this) {
            h.users--;
            close = h.evicted && h.users == 0;
        }
        if (close) h.channel.close();
    }

    synchronized int openCount() {
        return open.size();
    }

    /** How many times a file was opened: tells a test whether the cache hit. */
    synchronized int openedTotal() {
        return opened;
    }

    @Override
    public synchronized void close() throws IOException {
        IOException first = null;
        for (Handle h : open.values()) {
            h.evicted = true;
            if (h.users == 0) {
                try {
                    h.channel.close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
        }
        open.clear();
        if (first != null) throw first;
    }
}
