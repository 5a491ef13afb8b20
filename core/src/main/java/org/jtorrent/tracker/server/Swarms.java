package org.jtorrent.tracker.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
final class Swarms {
    /** A refused announce; the message goes back to the client as its {@code failure reason}. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** What the tracker needs from any announce, whichever protocol carried it. */
    record Announce(InfoHash infoHash, PeerAddress address, PeerId peerId, long left, AnnounceEvent event, int numWant) {
    }

    /** {@code completed}: this peer's completion was counted in {@code downloaded} (once per peer). */
    record Peer(PeerAddress address, PeerId peerId, boolean seeder, boolean completed, Instant lastSeen) {
    }

    /** The answer: counts and up to {@code numWant} other peers. */
    record Reply(int seeders, int leechers, List<Peer> peers) {
    }

    private final ConcurrentHashMap<InfoHash, Swarm> torrents = new ConcurrentHashMap<>();
    private final AtomicInteger torrentCount = new AtomicInteger();
    private final AtomicInteger peerCount = new AtomicInteger();
    private final TrackerServerConfig config;
    private final Clock clock;
    private final Duration expiry;

    Swarms(TrackerServerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.expiry = config.interval().multipliedBy(2);
    }

    Reply announce(Announce a) throws Refused {
        if (config.allowed().isPresent() && !config.allowed().get().contains(a.infoHash())) {
            throw new Refused("torrent not allowed on this tracker");
        }
        Instant now = clock.instant();
        int numWant = a.numWant() < 0 ? config.defaultNumWant() : Math.min(a.numWant(), config.maxNumWant());
        while (true) {
            Swarm swarm = torrents.get(a.infoHash());
            if (swarm == null) {
                if (a.event() == AnnounceEvent.STOPPED) return new Reply(0, 0, List.of());
                swarm = createSwarm(a.infoHash());
            }
            Reply reply = swarm.announce(a, numWant, now);
            if (reply != null) return reply;
            // the swarm expired between lookup and lock: look again (and maybe create it anew)
        }
    }

    /** Reserves a slot before creating, so the cap holds under concurrent announces. */
    private Swarm createSwarm(InfoHash hash) throws Refused {
        if (torrentCount.incrementAndGet() > config.maxTorrents()) {
            torrentCount.decrementAndGet();
            expire(); // maybe stale torrents can make room
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

    ScrapeStats scrape(InfoHash hash) {
        Swarm s = torrents.get(hash);
        return s == null ? new ScrapeStats(0, 0, 0) : s.stats();
    }

    /** Drops peers silent for two intervals, then torrents left without peers. */
    void expire() {
        Instant cutoff = clock.instant().minus(expiry);
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

    /**
     * One torrent's peers in an array list with an index, so a peer is found, added and removed in
     * O(1) (removal swaps the last one in) and a random sample needs no copy of the whole set.
     */
    private final class Swarm {
        private final List<Peer> peers = new ArrayList<>();
        private final Map<PeerAddress, Integer> index = new HashMap<>();
        private int seeders;
        private long downloaded;

        /** Set under the lock when the swarm is dropped; an announce that finds it set looks again. */
        private boolean closed;

        /** The reply, or null if this swarm was closed by expiry meanwhile. */
        synchronized Reply announce(Announce a, int numWant, Instant now) {
            if (closed) return null;
            Integer at = index.get(a.address());
            Peer old = at == null ? null : peers.get(at);
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
            Peer peer = new Peer(a.address(), a.peerId(), seeder, completes || (old != null && old.completed()), now);
            if (old != null) {
                peers.set(at, peer);
                if (old.seeder() != seeder) seeders += seeder ? 1 : -1;
            } else if (peers.size() < config.maxPeersPerTorrent() && reservePeer()) {
                index.put(a.address(), peers.size());
                peers.add(peer);
                if (seeder) seeders++;
            } // else: full; this peer is answered but not remembered
            Predicate<Peer> others = p -> !p.address().equals(a.address());
            return new Reply(seeders, peers.size() - seeders, sample(numWant, others));
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
        synchronized boolean expireAndClose(Instant cutoff) {
            for (int i = peers.size() - 1; i >= 0; i--) {
                if (peers.get(i).lastSeen().isBefore(cutoff)) remove(i);
            }
            closed = peers.isEmpty();
            return closed;
        }

        private void remove(int at) {
            Peer gone = peers.get(at);
            Peer last = peers.removeLast();
            index.remove(gone.address());
            if (at < peers.size()) {
                peers.set(at, last);
                index.put(last.address(), at);
            }
            if (gone.seeder()) seeders--;
            peerCount.decrementAndGet();
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
