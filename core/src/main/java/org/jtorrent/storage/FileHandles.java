package org.jtorrent.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open files of every torrent that shares one {@link DiskResources}: one LRU of open channels
 * with one cap, so a process with 1,000 torrents (or one torrent of 100,000 files) does not exhaust
 * its file descriptors. Each storage opens its files through a {@link Group} of its own (two, in
 * fact: page-cache channels and direct ones); the least recently used channel is closed first,
 * whichever torrent it belongs to.
 *
 * <p>Channels are reference-counted: one evicted while another thread still reads or writes through
 * it is closed when that thread releases it, never under its feet. The cap is therefore soft by at
 * most the number of concurrent I/O threads: room is made (the least recently used idle channels
 * closed) before a file opens, so never more than {@code cap} plus the channels evicted while still
 * leased are open. One lock guards the LRU; it is held to move references, never while a file
 * opens or closes.
 */
final class FileHandles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileHandles.class);

    /** A channel lent out by {@link Group#acquire}; give it back with {@link #close()}. */
    static final class Lease implements AutoCloseable {
        private final FileHandles pool;
        private final Handle handle;

        private Lease(FileHandles pool, Handle handle) {
            this.pool = pool;
            this.handle = handle;
        }

        FileChannel channel() {
            return handle.channel;
        }

        @Override
        public void close() throws IOException {
            pool.release(handle);
        }
    }

    /** Which group's file a handle is: the LRU's key. */
    private record Key(Group group, int file) {
    }

    private static final class Handle {
        final Key key;
        final FileChannel channel;
        int users;
        boolean evicted;

        Handle(Key key, FileChannel channel) {
            this.key = key;
            this.channel = channel;
        }
    }

    @FunctionalInterface
    interface Opener {
        FileChannel open(int file) throws IOException;
    }

    /**
     * One storage's files, opened its way, in the shared LRU. Closing the group closes its channels
     * (those in use when their lease ends) and refuses further leases: a torrent that stops frees
     * its descriptors for the others at once.
     */
    final class Group implements AutoCloseable {
        private final Opener opener;
        private int open;   // guarded by the pool
        private int opened; // guarded by the pool
        private boolean closed; // guarded by the pool

        private Group(Opener opener) {
            this.opener = opener;
        }

        Lease acquire(int file) throws IOException {
            return FileHandles.this.acquire(this, file);
        }

        /**
         * Closes {@code file}'s channel (once no one uses it), so the next lease reopens the file:
         * called after an I/O error, which may have left the channel unusable (an interrupted
         * thread closes it) or point at a file that is no longer there.
         */
        void evict(int file) throws IOException {
            Handle idle = null;
            synchronized (FileHandles.this) {
                Handle h = handles.remove(new Key(this, file));
                if (h != null && markEvicted(h)) idle = h;
            }
            if (idle != null) closeChannel(idle);
        }

        /** This group's channels open now (in the LRU). */
        int openCount() {
            synchronized (FileHandles.this) {
                return open;
            }
        }

        /** How many times a file of this group was opened: tells a test whether the cache hit. */
        int openedTotal() {
            synchronized (FileHandles.this) {
                return opened;
            }
        }

        @Override
        public void close() throws IOException {
            List<Handle> idle = new ArrayList<>();
            synchronized (FileHandles.this) {
                closed = true;
                Iterator<Handle> it = handles.values().iterator();
                while (it.hasNext()) {
                    Handle h = it.next();
                    if (h.key.group() != this) continue;
                    it.remove();
                    if (markEvicted(h)) idle.add(h);
                }
            }
            closeAll(idle);
        }
    }

    private final int cap;
    private final LinkedHashMap<Key, Handle> handles = new LinkedHashMap<>(16, 0.75f, true); // LRU order
    private int channelsOpen; // in the LRU or evicted and still leased: what the process holds
    private int reserved; // channels being opened: they count against the cap already
    private boolean closed;

    FileHandles(int cap) {
        if (cap < 1) throw new IllegalArgumentException("open file cap must be at least 1");
        this.cap = cap;
    }

    /** A new group of files in this pool, opened by {@code opener}. */
    Group group(Opener opener) {
        return new Group(opener);
    }

    private Lease acquire(Group group, int file) throws IOException {
        Key key = new Key(group, file);
        List<Handle> idle = new ArrayList<>(0);
        synchronized (this) {
            checkOpen(group);
            Handle h = handles.get(key);
            if (h != null && !h.channel.isOpen()) { // closed under us (an interrupted thread): reopen
                handles.remove(key);
                if (markEvicted(h)) idle.add(h);
                h = null;
            }
            if (h != null) {
                h.users++;
                return new Lease(this, h);
            }
            // Room first: the least recently used channels are closed before ours opens, so open
            // channels never exceed the cap plus those still leased after their eviction.
            reserved++;
            evictOverCap(idle);
        }
        // Closing and opening may block on the disk: outside the lock. A race opens the file twice;
        // the loser's channel is closed.
        Handle mine;
        try {
            closeEvicted(idle);
            mine = new Handle(key, group.opener.open(file));
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                reserved--;
            }
            throw e;
        }
        Handle chosen;
        synchronized (this) {
            reserved--;
            channelsOpen++;
            Handle existing = closed || group.closed ? null : handles.get(key);
            if (closed || group.closed) {
                chosen = null;
            } else if (existing != null) {
                chosen = existing;
            } else {
                chosen = mine;
                handles.put(key, mine);
                group.open++;
                group.opened++;
            }
            if (chosen != null) chosen.users++;
        }
        if (chosen != mine) closeChannel(mine);
        if (chosen == null) throw closedError(group);
        return new Lease(this, chosen);
    }

    /**
     * Closes channels evicted to make room, which may be other torrents' files: a failure to close
     * one is theirs, not the caller's, so it is logged and not thrown.
     */
    private void closeEvicted(List<Handle> idle) {
        for (Handle h : idle) {
            try {
                closeChannel(h);
            } catch (IOException e) {
                log.debug("closing an evicted file failed: {}", e.toString());
            }
        }
    }

    private void checkOpen(Group group) throws IOException {
        if (closed || group.closed) throw closedError(group);
    }

    private IOException closedError(Group group) {
        return new IOException(closed ? "the session's disk resources are closed" : "the storage is closed");
    }

    /**
     * Takes the least recently used channels out until the cap holds for those open and those being
     * opened; the idle ones go to {@code idle}, to close.
     */
    private void evictOverCap(List<Handle> idle) {
        Iterator<Handle> it = handles.values().iterator();
        while (handles.size() + reserved > cap && it.hasNext()) {
            Handle h = it.next();
            it.remove();
            if (markEvicted(h)) idle.add(h);
        }
    }

    /** Under the lock: the handle is out of the LRU. Returns whether it is idle, so to close now. */
    private boolean markEvicted(Handle h) {
        if (!h.evicted) {
            h.evicted = true;
            h.key.group().open--;
        }
        return h.users == 0;
    }

    private void release(Handle h) throws IOException {
        boolean close;
        synchronized (this) {
            h.users--;
            close = h.evicted && h.users == 0;
        }
        if (close) closeChannel(h);
    }

    private void closeChannel(Handle h) throws IOException {
        try {
            h.channel.close();
        } finally {
            synchronized (this) {
                channelsOpen--;
            }
        }
    }

    private void closeAll(List<Handle> idle) throws IOException {
        IOException first = null;
        for (Handle h : idle) {
            try {
                closeChannel(h);
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /** Channels in the LRU now, over every group. */
    synchronized int openCount() {
        return handles.size();
    }

    /** Channels the process holds open now: the LRU's, and evicted ones still leased. */
    synchronized int channelsOpen() {
        return channelsOpen;
    }

    int cap() {
        return cap;
    }

    /** Closes every channel (leased ones when their lease ends); every later lease fails. */
    @Override
    public void close() throws IOException {
        List<Handle> idle = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Map.Entry<Key, Handle> e : handles.entrySet()) {
                if (markEvicted(e.getValue())) idle.add(e.getValue());
            }
            handles.clear();
        }
        closeAll(idle);
    }
}
