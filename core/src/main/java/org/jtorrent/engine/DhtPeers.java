package org.jtorrent.engine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.dht.LookupResult;
import org.jtorrent.dht.NodeId;
import org.jtorrent.id.InfoHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent's use of the session's DHT node: get_peers and announce_peer for its info-hash
 * (our TCP port), the peers found offered to the torrent's {@link PeerSet} like a tracker's. While
 * no peer has been found the lookup is repeated soon (2 s, doubling to a minute: a magnet started
 * before the routing table filled would otherwise wait the whole interval); after that every
 * {@link #INTERVAL}, libtorrent's {@code dht_announce_interval}. Never used for private torrents
 * (the caller's check). One virtual thread, started by {@link #start}, stopped by {@link #close}.
 */
final class DhtPeers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DhtPeers.class);
    static final Duration INTERVAL = Duration.ofMinutes(15);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);

    private final DhtNode dht;
    private final InfoHash infoHash;
    private final int port;
    private final Consumer<List<InetSocketAddress>> offer;
    private final Semaphore stop = new Semaphore(0);
    private volatile Thread thread;

    DhtPeers(DhtNode dht, InfoHash infoHash, int port, Consumer<List<InetSocketAddress>> offer) {
        this.dht = dht;
        this.infoHash = infoHash;
        this.port = port;
        this.offer = offer;
    }

    void start() {
        thread = Thread.ofVirtual().name("dht " + infoHash.hex()).start(this::run);
    }

    private void run() {
        NodeId target = NodeId.of(infoHash.bytes());
        Duration retry = FIRST_RETRY;
        java.util.concurrent.atomic.AtomicBoolean anyPeers = new java.util.concurrent.atomic.AtomicBoolean();
        boolean found = false;
        try {
            do {
                try {
                    // peers are offered as replies bring them: the torrent dials while the lookup goes on
                    LookupResult r = dht.announce(target, port, peers -> {
                        anyPeers.set(true);
                        offer.accept(peers);
                    }).get(2, TimeUnit.MINUTES);
                    found = anyPeers.get();
                    log.debug("DHT {}: {} peers, {} queries, announced to {}", infoHash, r.peers().size(), r.queries(), r.announcedTo());
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    log.debug("DHT lookup for {} failed: {}", infoHash, e.toString());
                }
                Duration wait = found ? INTERVAL : retry;
                if (!found) retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
                if (stop.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) return;
            } while (true);
        } catch (InterruptedException e) {
            // closing
        }
    }

    @Override
    public void close() {
        stop.release();
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
