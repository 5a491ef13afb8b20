package org.jtorrent.tracker.server;

import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;

/**
 * The tracker's state: for each torrent, its peers keyed by address and port (two clients behind one
 * NAT address are two peers; one client re-announcing is one). Shared by the HTTP and UDP front ends;
 * each torrent locks on its own, so announces for different torrents do not contend.
 *
 * <p>Per-address limits ({@link TrackerServerConfig.PerAddressLimits}) keep one source (an IPv4
 * address or an IPv6 /64) from filling it: a few entries per torrent, a bounded number over all
 * torrents. Nothing on the announce path walks the whole store: the full expiry sweep runs on the
 * server's timer, and an announce that finds the tracker full looks at a bounded slice of it.
 */
final class Swarms {
    /** Torrents an announce that finds the tracker full looks at to make room: bounds its cost. */
    static final int ROOM_SEARCH = 64;
    /** Random entries a full torrent looks at for an expired one that a newcomer may replace. */
    private static final int STALE_PROBES = 4;
    /** How long a search for room that found none spares sources too heavy to evict anything from searching again. */
    private static final long FRUITLESS_SEARCH_MEMORY_MILLIS = 1000;

    /** A refused announce; the message goes back to the client as its {@code failure reason}. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** What the tracker needs from any announce, whichever protocol carried it. */
    record Announce(InfoHash infoHash, PeerAddress address, PeerId peerId, long left, AnnounceEvent event, int numWant) {
    }

    /**
     * {@code completed}: this peer's completion was counted in {@code downloaded} (once per peer).
     * {@code lastSeenMillis} is a long, not an Instant, to save an object per stored peer.
     */
    record Peer(PeerAddress address, PeerId peerId, boolean seeder, boolean completed, long lastSeenMillis) {
    }

    /** The answer: counts and up to {@code numWant} other peers. */
    record Reply(int seeders, int leechers, List<Peer> peers) {
    }

    private final ConcurrentHashMap<InfoHash, Swarm> torrents = new ConcurrentHashMap<>();
    private final AtomicInteger torrentCount = new AtomicInteger();
    private final AtomicInteger peerCount = new AtomicInteger();
    private final Sources sources = new Sources();
    private final TrackerServerConfig config;
    private final TrackerServerConfig.PerAddressLimits perAddress;
    private final Clock clock;
    private final long expiryMillis;

    /** Where the bounded search for room continues; guarded by {@link #roomSearch}. */
    private Iterator<Map.Entry<InfoHash, Swarm>> roomCursor;
    private final ReentrantLock roomSearch = new ReentrantLock();
    /** Until when a search that freed nothing is remembered, and the heaviest one-source count it saw. */
    private volatile long fruitlessUntil;
    private volatile int fruitlessHeaviest;

    Swarms(TrackerServerConfig config, Clock clock) {
        this.config = config;
        this.perAddress = config.perAddress();
        this.clock = clock;
        this.expiryMillis = config.interval().multipliedBy(2).toMillis();
    }

    Reply announce(Announce a) throws Refused {
        if (config.allowed().isPresent() && !config.allowed().get().contains(a.infoHash())) {
            throw new Refused("torrent not allowed on this tracker");
        }
        long now = clock.millis();
        int numWant = a.numWant() < 0 ? config.defaultNumWant() : Math.min(a.numWant(), config.maxNumWant());
        while (true) {
            Swarm swarm = torrents.get(a.infoHash());
            if (swarm == null) {
                if (a.event() == AnnounceEvent.STOPPED) return new Reply(0, 0, List.of());
                // checked before anything else, so a source at its limit costs the tracker one lookup
                if (sources.count(a.address().ip()) >= perAddress.peers()) {
                    throw new Refused("too many peers from your address (" + perAddress.peers() + ")");
                }
                swarm = createSwarm(a.infoHash(), a.address().ip(), now);
            }
            Reply reply = swarm.announce(a, numWant, now);
            if (reply != null) return reply;
            // the swarm expired between lookup and lock: look again (and maybe create it anew)
        }
    }

    /** Reserves a slot before creating, so the cap holds under concurrent announces. */
    private Swarm createSwarm(InfoHash hash, InetAddress announcer, long now) throws Refused {
        if (torrentCount.incrementAndGet() > config.maxTorrents()) {
            torrentCount.decrementAndGet();
            makeRoom(announcer, now);
            if (torrentCount.incrementAndGet() > config.maxTorrents()) {
                torrentCount.decrementAndGet();
                throw new Refused("tracker is full (" + config.maxTorrents() + " torrents)");
            }
        }
        Swarm created = new Swarm();
        Swarm existing = torrents.putIfAbsent(hash, created);
        if (existing != null) torrentCount.decrementAndGet();
        return existing != null ? existing : created;
    }

    /**
     * The tracker is full: looks at the next {@link #ROOM_SEARCH} torrents (a cursor goes round the
     * store over successive calls) and drops those whose every peer has expired (O(1) each: only a
     * torrent emptied whole frees a slot, and its newest announce says whether it is); if that freed nothing, evicts one torrent whose peers all come from one source, the source that holds
     * the most entries over the tracker, if that is more than the announcing source holds: a flood's
     * torrents make way for an honest newcomer, never the other way round, and a flooder cannot
     * make room by evicting its own. Bounded work, and only one announce searches at a time: the
     * others do not wait for it.
     */
    private void makeRoom(InetAddress announcer, long now) {
        int announcerCount = sources.count(announcer);
        // A search that just found nothing would find nothing for a source at least as heavy as the
        // heaviest it saw: a flood into a full tracker costs a lookup per packet, not a search.
        if (now < fruitlessUntil && announcerCount >= fruitlessHeaviest) return;
        if (!roomSearch.tryLock()) return;
        try {
            long cutoff = now - expiryMillis;
            Map.Entry<InfoHash, Swarm> heaviest = null;
            int heaviestCount = Math.max(1, announcerCount);
            int heaviestSeen = 0;
            boolean freed = false;
            for (int i = 0; i < ROOM_SEARCH; i++) {
                if (roomCursor == null || !roomCursor.hasNext()) {
                    roomCursor = torrents.entrySet().iterator();
                    if (!roomCursor.hasNext()) break;
                }
                Map.Entry<InfoHash, Swarm> e = roomCursor.next();
                if (e.getValue().closeIfAllExpired(cutoff)) {
                    if (torrents.remove(e.getKey(), e.getValue())) torrentCount.decrementAndGet();
                    freed = true;
                    continue;
                }
                InetAddress only = e.getValue().soleSource();
                int count = only == null ? 0 : sources.count(only);
                heaviestSeen = Math.max(heaviestSeen, count);
                if (count > heaviestCount) {
                    heaviest = e;
                    heaviestCount = count;
                }
            }
            if (!freed && heaviest != null && heaviest.getValue().evictIfOneSource()
                    && torrents.remove(heaviest.getKey(), heaviest.getValue())) {
                torrentCount.decrementAndGet();
                freed = true;
            }
            if (!freed) {
                fruitlessHeaviest = heaviestSeen;
                fruitlessUntil = now + FRUITLESS_SEARCH_MEMORY_MILLIS;
            } else {
                fruitlessUntil = 0;
            }
        } finally {
            roomSearch.unlock();
        }
    }

    ScrapeStats scrape(InfoHash hash) {
        Swarm s = torrents.get(hash);
        return s == null ? new ScrapeStats(0, 0, 0) : s.stats();
    }

    /** Drops peers silent for two intervals, then torrents left without peers. Run by the server's timer. */
    void expire() {
        long cutoff = clock.millis() - expiryMillis;
        torrents.forEach((hash, swarm) -> {
            if (swarm.expireAndClose(cutoff) && torrents.remove(hash, swarm)) torrentCount.decrementAndGet();
        });
    }

    int torrentCount() {
        return torrents.size();
    }

    int peerCount() {
        return peerCount.get();
    }

    int peerCount(InfoHash hash) {
        Swarm s = torrents.get(hash);
        return s == null ? 0 : s.size();
    }

    /** Peer entries the source of {@code ip} holds over all torrents (approximate, never below the truth). */
    int entriesOf(InetAddress ip) {
        return sources.count(ip);
    }

    /**
     * One torrent's peers in an array list, indexed by source, so a peer is found, added and removed
     * in O(1) (removal swaps the last one in; a source has at most {@code portsPerTorrent} entries to
     * look through) and a random sample needs no copy of the whole set.
     */
    private final class Swarm {
        private final List<Peer> peers = new ArrayList<>();
        /**
         * Source key ({@link Sources#key}) to the slot of its one entry (an Integer) or of its several
         * (an int[]): most sources have one entry, and then the index costs what a map by address did.
         */
        private final Map<Object, Object> bySource = new HashMap<>();
        private int seeders;
        private long downloaded;
        /** The newest announce stored here: once it is past the expiry cutoff, so is every entry. */
        private long newestMillis;

        /** Set under the lock when the swarm is dropped; an announce that finds it set looks again. */
        private boolean closed;

        /** The reply, or null if this swarm was closed by expiry meanwhile. */
        synchronized Reply announce(Announce a, int numWant, long now) {
            if (closed) return null;
            Object source = Sources.key(a.address().ip());
            int at = find(source, a.address());
            Peer old = at < 0 ? null : peers.get(at);
            if (a.event() == AnnounceEvent.STOPPED) {
                if (old != null) remove(at);
                return new Reply(seeders, peers.size() - seeders, List.of());
            }
            boolean seeder = a.left() == 0;
            // A client that announces to every tier reaches one tracker through each of its URLs
            // (udp:// and http://, say), and a stale left > 0 announce from one can land between
            // the two "completed": a peer's completion counts once.
            boolean completes = a.event() == AnnounceEvent.COMPLETED && old != null && !old.seeder() && !old.completed();
            if (completes) downloaded++;
            newestMillis = Math.max(newestMillis, now);
            if (old != null) {
                // the stored address object is kept: it is also the source's key in bySource
                peers.set(at, new Peer(old.address(), a.peerId(), seeder, completes || old.completed(), now));
                if (old.seeder() != seeder) seeders += seeder ? 1 : -1;
            } else {
                store(source, new Peer(a.address(), a.peerId(), seeder, false, now), now);
            }
            Predicate<Peer> others = p -> !p.address().equals(a.address());
            return new Reply(seeders, peers.size() - seeders, sample(numWant, others));
        }

        /** A newcomer: kept if its source, the tracker and this torrent have room; else answered, not remembered. */
        private void store(Object source, Peer peer, long now) {
            InetAddress ip = peer.address().ip();
            int mine = countOf(source);
            if (mine >= perAddress.portsPerTorrent()) {
                // One source, many ports: its least recently seen entry here makes way, so a client
                // that restarts on a new port is listed at once and a flood of ports stays at the cap.
                replace(leastRecentOf(source), peer);
                return;
            }
            if (!sources.tryAdd(ip, perAddress.peers())) return;
            if (peers.size() >= config.maxPeersPerTorrent()) {
                int stale = staleSlot(now - expiryMillis);
                if (stale < 0) {
                    sources.remove(ip);
                    return;
                }
                remove(stale);
            }
            if (!reservePeer()) {
                sources.remove(ip);
                return;
            }
            addSlot(source, peers.size());
            peers.add(peer);
            if (peer.seeder()) seeders++;
        }

        private void replace(int at, Peer peer) {
            Peer gone = peers.set(at, peer);
            if (gone.seeder()) seeders--;
            if (peer.seeder()) seeders++;
        }

        /** Slot of an entry silent past the cutoff among a few random ones, or -1. */
        private int staleSlot(long cutoff) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < STALE_PROBES && !peers.isEmpty(); i++) {
                int at = random.nextInt(peers.size());
                if (peers.get(at).lastSeenMillis() < cutoff) return at;
            }
            return -1;
        }

        /** Up to n peers from a random starting point, wrapping around: O(n), fair over announces. */
        private List<Peer> sample(int n, Predicate<Peer> keep) {
            int size = peers.size();
            List<Peer> out = new ArrayList<>(Math.min(n, size));
            if (size == 0 || n == 0) return out;
            int start = ThreadLocalRandom.current().nextInt(size);
            for (int i = 0; i < size && out.size() < n; i++) {
                Peer p = peers.get((start + i) % size);
                if (keep.test(p)) out.add(p);
            }
            return out;
        }

        /** Drops expired peers; if none are left, closes the swarm and says so. */
        synchronized boolean expireAndClose(long cutoff) {
            for (int i = peers.size() - 1; i >= 0; i--) {
                if (peers.get(i).lastSeenMillis() < cutoff) remove(i);
            }
            closed = peers.isEmpty();
            return closed;
        }

        /** Closes the swarm if every entry has expired (or there are none): O(1) unless it does. */
        synchronized boolean closeIfAllExpired(long cutoff) {
            if (closed || newestMillis >= cutoff && !peers.isEmpty()) return false;
            while (!peers.isEmpty()) remove(peers.size() - 1);
            closed = true;
            return true;
        }

        /** The address of the one source all entries come from, or null if none or several. */
        synchronized InetAddress soleSource() {
            return !closed && bySource.size() == 1 ? peers.getFirst().address().ip() : null;
        }

        /** Drops every entry and closes the swarm, if they all come from one source. */
        synchronized boolean evictIfOneSource() {
            if (closed || bySource.size() != 1) return false;
            while (!peers.isEmpty()) remove(peers.size() - 1);
            closed = true;
            return true;
        }

        private void remove(int at) {
            Peer gone = peers.get(at);
            Peer last = peers.removeLast();
            int lastAt = peers.size();
            removeSlot(Sources.key(gone.address().ip()), at);
            if (at < lastAt) {
                peers.set(at, last);
                moveSlot(Sources.key(last.address().ip()), lastAt, at);
            }
            if (gone.seeder()) seeders--;
            peerCount.decrementAndGet();
            sources.remove(gone.address().ip());
        }

        // The source index: an Integer slot for a source's one entry, an int[] for several.

        private int find(Object source, PeerAddress address) {
            Object slots = bySource.get(source);
            if (slots instanceof Integer at) return peers.get(at).address().equals(address) ? at : -1;
            if (slots instanceof int[] all) {
                for (int at : all) if (peers.get(at).address().equals(address)) return at;
            }
            return -1;
        }

        private int countOf(Object source) {
            Object slots = bySource.get(source);
            return slots == null ? 0 : slots instanceof int[] all ? all.length : 1;
        }

        private int leastRecentOf(Object source) {
            Object slots = bySource.get(source);
            if (slots instanceof Integer at) return at;
            int best = -1;
            for (int at : (int[]) slots) {
                if (best < 0 || peers.get(at).lastSeenMillis() < peers.get(best).lastSeenMillis()) best = at;
            }
            return best;
        }

        private void addSlot(Object source, int at) {
            bySource.merge(source, at, (slots, one) -> {
                int[] old = slots instanceof int[] all ? all : new int[] {(Integer) slots};
                int[] grown = Arrays.copyOf(old, old.length + 1);
                grown[old.length] = at;
                return grown;
            });
        }

        private void removeSlot(Object source, int at) {
            Object slots = bySource.get(source);
            if (slots instanceof int[] all) {
                int[] rest = new int[all.length - 1];
                int n = 0;
                for (int s : all) if (s != at) rest[n++] = s;
                bySource.put(source, rest.length == 1 ? (Object) rest[0] : rest);
            } else {
                bySource.remove(source);
            }
        }

        private void moveSlot(Object source, int from, int to) {
            Object slots = bySource.get(source);
            if (slots instanceof int[] all) {
                for (int i = 0; i < all.length; i++) if (all[i] == from) all[i] = to;
            } else {
                bySource.put(source, to);
            }
        }

        synchronized ScrapeStats stats() {
            return new ScrapeStats(seeders, downloaded, peers.size() - seeders);
        }

        synchronized int size() {
            return peers.size();
        }
    }

    private boolean reservePeer() {
        if (peerCount.incrementAndGet() <= config.maxPeers()) return true;
        peerCount.decrementAndGet();
        return false;
    }
}
