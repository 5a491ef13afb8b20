package org.jtorrent.engine;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metadata.MetadataExchange;
import org.jtorrent.tracker.TrackerSession;
import org.jtorrent.wire.MetadataMessage;

/**
 * The active stretch of a magnet torrent before its metadata: the connections ({@link MagnetHost}),
 * the peers it dials ({@link PeerSet}: the magnet's {@code x.pe} and the trackers'), its trackers,
 * one per tier ({@link Announcer}), and a ticker that times out unanswered metadata requests once a
 * second. Trackers hear {@code left} = 16 KiB, as libtorrent sends while the size is unknown: not
 * 0, which would make us a seed that trackers give no seeds to.
 *
 * <p>{@link #finish} stops the dialling, the trackers and the ticker but keeps the connections:
 * the torrent's run takes them over. {@link #close} closes them too.
 */
final class MetadataRun {
    /** What trackers hear as {@code left} before the size is known (libtorrent's value). */
    static final long LEFT_UNKNOWN = 16 * 1024;
    private static final long TICK_MILLIS = 1000;

    private final MagnetHost host;
    private final PeerSet peerSet;
    private final Announcer announcer; // null without trackers
    private final Semaphore stop = new Semaphore(0);
    private volatile Thread ticker;

    private final DhtPeers dhtPeers; // null without a DHT

    private MetadataRun(MagnetHost host, PeerSet peerSet, Announcer announcer, DhtPeers dhtPeers) {
        this.dhtPeers = dhtPeers;
        this.host = host;
        this.peerSet = peerSet;
        this.announcer = announcer;
    }

    /**
     * Builds the run; nothing starts until {@link #start}.
     *
     * @param verified gets the info dictionary once it hashes to {@code infoHash}, on a connection's
     *                 thread: it must hand the work on
     */
    static MetadataRun open(InfoHash infoHash, List<List<String>> trackers, List<InetSocketAddress> peers, int maxPeers,
                            TransferLimits limits, SessionContext context, Consumer<byte[]> verified) {
        SessionConfig config = context.config();
        MetadataExchange exchange = MetadataExchange.fetching(infoHash, MetadataMessage.MAX_SIZE,
                MetadataExchange.REQUEST_TIMEOUT, verified);
        MagnetHost host = new MagnetHost(infoHash, context.peerId(), context.listenPort(), exchange, maxPeers,
                context.slots(), limits);
        PeerSet peerSet = new PeerSet(host, new PeerSet.Dialing(maxPeers, config.bind(), config.peer()), context.slots());
        host.events(peerSet);
        Announcer announcer = null;
        if (config.useTrackers() && !trackers.isEmpty()) {
            announcer = new Announcer(trackers, infoHash, context.peerId(), context.listenPort(), config.tracker(),
                    () -> new TrackerSession.Progress(0, 0, LEFT_UNKNOWN), found -> peerSet.offer(found, false),
                    exchange::starved, // no peer to ask (none connected, or every one dropped as a source): announce again soon
                    () -> true); // it needs the metadata: the 5 s nap of a download, not a seeder's minute
        }
        peerSet.offer(peers, true);
        // a magnet's torrent may turn out private, but only its info dictionary says so: until then the DHT is
        // how a magnet without trackers finds anyone (libtorrent does the same)
        return new MetadataRun(host, peerSet, announcer, context.dhtPeers(infoHash, false, peerSet::offerFromDht));
    }

    void start() {
        peerSet.start();
        if (announcer != null) announcer.start();
        if (dhtPeers != null) dhtPeers.start();
        ticker = Thread.ofVirtual().name("metadata-tick " + host.infoHash().hex()).start(this::tick);
    }

    private void tick() {
        try {
            while (!stop.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS)) host.exchange().tick(System.nanoTime());
        } catch (InterruptedException e) {
            // stopping
        }
    }

    MagnetHost host() {
        return host;
    }

    PeerSet peerSet() {
        return peerSet;
    }

    /** The metadata arrived: stops dialling, announcing and ticking; the connections stay for the torrent's run. */
    MagnetHost finish() {
        peerSet.close();
        stop.release();
        if (announcer != null) announcer.close();
        if (dhtPeers != null) dhtPeers.close();
        joinTicker();
        return host;
    }

    /** Stops everything, the connections too. */
    void close(String why) {
        finish();
        host.closeAll(why);
    }

    private void joinTicker() {
        Thread t = ticker;
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
