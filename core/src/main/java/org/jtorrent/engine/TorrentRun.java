package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.pex.PeerExchange;
import org.jtorrent.pex.PexPeer;
import org.jtorrent.storage.PartialPieces;
import org.jtorrent.storage.Storage;
import org.jtorrent.tracker.TrackerSession;

/**
 * One active stretch of a torrent in a session, from a slot or a resume to a pause, a lost slot or
 * an error: its open files, its live state ({@link Torrent}), the peers it dials ({@link PeerSet})
 * and its trackers ({@link Announcer}). A paused or queued torrent has no run, so it costs no
 * threads, sockets or file handles; what must outlive a run (the pieces had, the byte counters) is
 * the {@link TorrentHandle}'s.
 */
final class TorrentRun implements Torrent.Events {
    /** What the run reports to its handle; called from connection and hasher threads. */
    interface Owner {
        void pieceVerified(int piece);

        void pieceFailed(int piece);

        void banned(InetAddress peer);

        /** It had every wanted piece and wants more again (files selected later). */
        void unfinished();
    }

    private final Storage storage;
    private final PartialPieces partial;
    private final Torrent torrent;
    private final PeerSet peerSet;
    private final Announcer announcer; // null without trackers
    private final PeerExchange exchange; // null for a private torrent
    private final DhtPeers dhtPeers; // null without a DHT, and for private torrents
    private final Owner owner;

    private TorrentRun(Storage storage, PartialPieces partial, Torrent torrent, PeerSet peerSet, Announcer announcer,
                       PeerExchange exchange, DhtPeers dhtPeers, Owner owner) {
        this.dhtPeers = dhtPeers;
        this.storage = storage;
        this.partial = partial;
        this.torrent = torrent;
        this.peerSet = peerSet;
        this.announcer = announcer;
        this.exchange = exchange;
        this.owner = owner;
    }

    /**
     * Opens the files and builds the run; nothing is started and nothing dialled until {@link #start}.
     *
     * @param limits  the torrent's rate limits, the session's included
     * @param have    the pieces verified on disk, from the check or an earlier run
     * @param context the session's shared parts
     */
    static TorrentRun open(Metainfo metainfo, TorrentOptions options, TransferLimits limits, BitSet have,
                           SessionContext context, Owner owner) throws IOException {
        SessionConfig config = context.config();
        Selection selection = options.selection();
        Storage storage = Storage.open(metainfo.info(), options.folder(), config.storage(), context.disk(), metainfo.infoHash(),
                selection.filePriorities());
        try {
            PartialPieces partial = new PartialPieces(storage, context.disk().hasher(), config.memoryCap());
            Torrent torrent = new Torrent(metainfo, storage, partial, have, context.peerId(), options.maxPeers(), context.slots());
            torrent.listenPort(context.listenPort());
            torrent.filePriorities(storage.filePriorities());
            torrent.sequential(selection.sequential(), selection.fileEndsFirst());
            torrent.transfers(context.choker(), limits);
            PeerSet peerSet = new PeerSet(torrent, new PeerSet.Dialing(options.maxPeers(), config.bind(), config.peer()),
                    context.slots());
            Announcer announcer = null;
            if (config.useTrackers() && !metainfo.trackers().isEmpty()) {
                announcer = new Announcer(metainfo.trackers(), metainfo.infoHash(), context.peerId(), context.listenPort(),
                        config.tracker(), () -> progress(torrent), peers -> peerSet.offer(peers, false),
                        () -> torrent.connectionCount() == 0 && !torrent.isComplete(), () -> !torrent.isComplete());
            }
            // BEP 27: a private torrent neither offers nor accepts PEX (it is not even advertised).
            PeerExchange exchange = null;
            if (!metainfo.info().isPrivate()) {
                ExchangeSink sink = new ExchangeSink(torrent, peerSet, context.listenPort(), config.bind());
                exchange = new PeerExchange(sink);
                sink.exchange = exchange;
                torrent.addExtension(exchange);
            }
            DhtPeers dhtPeers = context.dhtPeers(metainfo.infoHash(), metainfo.info().isPrivate(), peerSet::offerFromDht);
            TorrentRun run = new TorrentRun(storage, partial, torrent, peerSet, announcer, exchange, dhtPeers, owner);
            torrent.events(run);
            peerSet.offer(options.peers(), true);
            return run;
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /**
     * PEX contacts become candidates, except our own listen address and the peers we are connected
     * to already (dialling one again would only be refused as a second connection to its peer id).
     */
    private static final class ExchangeSink implements PeerExchange.Sink {
        private final Torrent torrent;
        private final PeerSet peerSet;
        private final int listenPort;
        private final InetAddress bind;
        volatile PeerExchange exchange;

        ExchangeSink(Torrent torrent, PeerSet peerSet, int listenPort, InetAddress bind) {
            this.torrent = torrent;
            this.peerSet = peerSet;
            this.listenPort = listenPort;
            this.bind = bind;
        }

        @Override
        public void added(PeerConnection from, List<PexPeer> peers) {
            java.util.Set<InetSocketAddress> connected = new java.util.HashSet<>();
            for (PeerConnection c : torrent.connections()) {
                InetSocketAddress listen = exchange.listenAddress(c);
                if (listen != null) connected.add(listen);
            }
            List<InetSocketAddress> candidates = new ArrayList<>(peers.size());
            for (PexPeer p : peers) {
                if (!isUs(p.address(), listenPort, bind) && !connected.contains(p.address())) candidates.add(p.address());
            }
            peerSet.offerExchanged(candidates);
        }

        @Override
        public void dropped(PeerConnection from, List<InetSocketAddress> peers) {
            peerSet.exchangeDropped(peers);
        }
    }

    /** Whether an address is our own listen address (one of this machine's addresses, our port). */
    static boolean isUs(InetSocketAddress a, int listenPort, InetAddress bind) {
        if (a.getPort() != listenPort) return false;
        InetAddress ip = a.getAddress();
        if (ip.isLoopbackAddress() || ip.isAnyLocalAddress() || ip.equals(bind)) return true;
        try {
            return NetworkInterface.getByInetAddress(ip) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The engine's periodic task (about once a second): sends the PEX messages that are due. */
    void tick() {
        if (exchange != null && torrent.connectionCount() > 0) exchange.tick(torrent.connections());
    }

    /** Peer exchange, absent for a private torrent. */
    Optional<PeerExchange> exchange() {
        return Optional.ofNullable(exchange);
    }

    private static TrackerSession.Progress progress(Torrent torrent) {
        return new TrackerSession.Progress(torrent.sentBytes(), torrent.verifiedBytes(), torrent.leftBytes());
    }

    /** Starts dialling and announcing. */
    void start() {
        peerSet.start();
        if (announcer != null) {
            // "completed" is for a download that completes in this run: one that starts complete is
            // a seeder, announced by "started" with left = 0. A selection of files is not the
            // torrent: "completed" waits until every piece is had.
            if (!torrent.isSeed()) torrent.seeding().thenRun(announcer::completed);
            announcer.start();
        }
        if (dhtPeers != null) dhtPeers.start();
        // The last data is made durable while the session reports, not after; the buffers kept for
        // the next piece go back to the session's memory budget.
        torrent.onFinished(storage::flushInBackground);
        torrent.onFinished(partial::releaseSpares);
    }

    Torrent torrent() {
        return torrent;
    }

    PeerSet peerSet() {
        return peerSet;
    }

    /**
     * Stops everything and closes the files. The trackers hear {@code stopped} after the peers are
     * gone, so it carries the final counters. Returns the pieces had at the end.
     */
    BitSet close() throws IOException {
        peerSet.close();
        for (PeerConnection c : torrent.connections()) c.close();
        if (announcer != null) announcer.close();
        if (dhtPeers != null) dhtPeers.close();
        storage.close();
        return torrent.have();
    }

    /** Where the torrent's files are. */
    Storage storage() {
        return storage;
    }

    // ---- Torrent.Events ----

    @Override
    public void closed(PeerConnection connection) {
        peerSet.closed(connection);
    }

    @Override
    public void banned(InetAddress peer) {
        peerSet.banned(peer);
        owner.banned(peer);
    }

    @Override
    public void pieceVerified(int piece) {
        owner.pieceVerified(piece);
    }

    @Override
    public void pieceFailed(int piece) {
        owner.pieceFailed(piece);
    }

    @Override
    public void unfinished() {
        peerSet.unfinished();
        owner.unfinished();
    }
}
