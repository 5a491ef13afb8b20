package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.ExecutionException;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.storage.PartialPieces;
import org.jtorrent.storage.PieceHasher;
import org.jtorrent.storage.Recheck;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.storage.Storage;
import org.jtorrent.tracker.TrackerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A download as {@code jtorrent download} runs it: re-checks what is on disk, listens for incoming
 * peers, gets peers from every tracker tier ({@link Announcer}) and the command line, keeps up to
 * {@code maxPeers} connections ({@link PeerSet}), chooses whom to upload to ({@link ChokeDriver}) and
 * reports.
 */
public final class Download implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Download.class);

    private final Metainfo metainfo;
    private final DownloadOptions options;
    private final Storage storage;
    private final PieceHasher hasher;
    private final Torrent torrent;
    private final ServerSocketChannel listener;
    private final PeerSet peerSet;
    private final ChokeDriver chokeDriver;
    private final Announcer announcer; // null without trackers
    /**
     * Incoming connections in their handshake at once. Each holds its slot for at most the handshake
     * timeout (one deadline for the whole handshake), and while all are taken new connections wait
     * in the kernel's backlog instead of being turned away: a flood of slow handshakes delays an
     * honest peer by about one timeout, never locks it out.
     */
    static final int HANDSHAKE_SLOTS = 64;
    private final Semaphore handshaking = new Semaphore(HANDSHAKE_SLOTS);
    /** Back-off after a failed accept (out of file descriptors, say): doubling from the first to the last. */
    static final long ACCEPT_BACKOFF_FIRST_MILLIS = 10, ACCEPT_BACKOFF_MAX_MILLIS = 1000;
    private volatile Thread acceptThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long started = System.nanoTime();

    private Download(Metainfo metainfo, DownloadOptions options, Storage storage, PieceHasher hasher, Torrent torrent,
                     ServerSocketChannel listener, PeerId peerId) {
        this.metainfo = metainfo;
        this.options = options;
        this.storage = storage;
        this.hasher = hasher;
        this.torrent = torrent;
        this.listener = listener;
        this.peerSet = new PeerSet(torrent, options);
        torrent.events(peerSet);
        this.chokeDriver = new ChokeDriver(torrent, options.limits().choker(), new Random());
        torrent.transfers(chokeDriver, options.limits());
        peerSet.offer(options.peers(), true);
        if (options.useTrackers() && !metainfo.trackers().isEmpty()) {
            announcer = new Announcer(metainfo.trackers(), metainfo.infoHash(), peerId, port(listener),
                    options.tracker(), this::progress, peers -> peerSet.offer(peers, false),
                    () -> torrent.connectionCount() == 0 && !torrent.isComplete());
        } else {
            announcer = null;
        }
    }

    private TrackerSession.Progress progress() {
        return new TrackerSession.Progress(uploadedBytes(), torrent.verifiedBytes(), torrent.leftBytes());
    }

    /** Payload uploaded in this run, over open and closed connections alike. */
    public long uploadedBytes() {
        long uploaded = 0;
        for (PeerSummary p : torrent.summaries()) uploaded += p.uploadedBytes();
        return uploaded;
    }

    public static Download start(Metainfo metainfo, DownloadOptions options) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(); // channels: the frame reader reads them into direct buffers
        try {
            listener.bind(new InetSocketAddress(options.bind(), options.listenPort()), HANDSHAKE_SLOTS);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return start(metainfo, options, listener);
    }

    /** Starts with a bound listener of the caller's (tests hand in one that fails on purpose); closes it on failure. */
    static Download start(Metainfo metainfo, DownloadOptions options, ServerSocketChannel listener) throws IOException {
        Storage storage;
        // Resume data is read before the storage opens: opening may move bytes of files selected
        // since the last run out of the part file, which changes their stamps but not the pieces.
        var resumed = ResumeData.load(options.folder(), metainfo.infoHash(), metainfo.info());
        try {
            storage = Storage.open(metainfo.info(), options.folder(), options.storage(), metainfo.infoHash(),
                    options.selection().filePriorities());
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        PieceHasher hasher = PieceHasher.forThisMachine();
        try {
            BitSet have = resumeOrRecheck(metainfo, resumed, storage, hasher);
            PartialPieces partial = new PartialPieces(storage, hasher, options.memoryCap());
            PeerId peerId = PeerId.random();
            Torrent torrent = new Torrent(metainfo, storage, partial, have, peerId);
            torrent.filePriorities(storage.filePriorities());
            torrent.sequential(options.selection().sequential(), options.selection().fileEndsFirst());
            // The last data is made durable while the caller reports and closes, not after.
            torrent.onFinished(storage::flushInBackground);
            torrent.listenPort(port(listener));
            Download d = new Download(metainfo, options, storage, hasher, torrent, listener, peerId);
            d.acceptThread = Thread.ofVirtual().name("accept").start(d::acceptLoop);
            d.peerSet.start();
            if (d.announcer != null) {
                // "completed" is for a download that completes in this run: one that starts
                // complete is a seeder, announced by "started" with left = 0. A selection of
                // files is not the torrent: "completed" waits until every piece is had.
                if (!torrent.isSeed()) torrent.seeding().thenRun(d.announcer::completed);
                d.announcer.start();
            }
            return d;
        } catch (IOException | RuntimeException e) {
            listener.close();
            hasher.close();
            storage.close();
            throw e;
        }
    }

    /** The pieces on disk: from a resume file that still matches the files, else by hashing them all. */
    private static BitSet resumeOrRecheck(Metainfo metainfo, java.util.Optional<BitSet> resumed, Storage storage,
                                          PieceHasher hasher) throws IOException {
        if (resumed.isPresent()) {
            log.info("fast resume: {} of {} pieces, files unchanged since", resumed.get().cardinality(),
                    metainfo.info().pieceCount());
            return resumed.get();
        }
        BitSet have = Recheck.run(storage, hasher, 8);
        log.info("re-check: {} of {} pieces on disk", have.cardinality(), metainfo.info().pieceCount());
        return have;
    }

    public Torrent torrent() {
        return torrent;
    }

    public int listenPort() {
        return port(listener);
    }

    /** Waits until every piece is verified; rethrows a storage failure. Returns false on timeout. */
    public boolean awaitComplete(Duration timeout) throws IOException, InterruptedException {
        try {
            torrent.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    public DownloadResult result() {
        return new DownloadResult(metainfo.infoHash().hex(), torrent.isComplete(), torrent.verifiedBytes(),
                torrent.wastedBytes(), uploadedBytes(), (System.nanoTime() - started) / 1e9, torrent.summaries());
    }

    /** More peers to dial, kept like {@code --peer} ones (e.g. from a user, or a test). */
    public void addPeers(java.util.Collection<InetSocketAddress> peers) {
        peerSet.offer(peers, true);
    }

    /** Peers known from trackers and the command line (connected or not). */
    public int knownPeers() {
        return peerSet.knownCount();
    }

    /**
     * Accepts until closed. A free handshake slot is taken before each accept, so a flood waits in
     * the kernel's backlog, costing neither a thread nor a descriptor here. A failed accept (out of
     * file descriptors, say) is logged and retried after a short back-off, doubling while it lasts:
     * the listener stops only when the download closes.
     */
    private void acceptLoop() {
        long backoff = ACCEPT_BACKOFF_FIRST_MILLIS;
        while (!closed.get()) {
            SocketChannel socket;
            try {
                handshaking.acquire();
            } catch (InterruptedException e) {
                return; // closing
            }
            try {
                socket = listener.accept();
                backoff = ACCEPT_BACKOFF_FIRST_MILLIS;
            } catch (IOException | RuntimeException e) {
                handshaking.release();
                if (closed.get() || !listener.isOpen()) return;
                log.warn("accepting failed, again in {} ms: {}", backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException closing) {
                    return;
                }
                backoff = Math.min(ACCEPT_BACKOFF_MAX_MILLIS, 2 * backoff);
                continue;
            }
            Thread.ofVirtual().name("accept " + socket.socket().getRemoteSocketAddress()).start(() -> {
                try {
                    if (torrent.connectionCount() >= options.maxPeers()) throw new IOException("too many connections");
                    // A banned address gets no handshake slot, whatever port it comes from now.
                    if (torrent.isBanned(socket.getRemoteAddress())) throw new IOException("banned");
                    torrent.add(PeerConnection.accept(socket, torrent, options.peer()));
                } catch (IOException e) {
                    closeQuietly(socket);
                    log.info("incoming {} refused: {}", socket.socket().getRemoteSocketAddress(), e.toString());
                } finally {
                    handshaking.release();
                }
            });
        }
    }

    private static int port(ServerSocketChannel listener) {
        return listener.socket().getLocalPort();
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: we are dropping it
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) return;
        peerSet.close();
        chokeDriver.close();
        listener.close();
        Thread accepting = acceptThread;
        if (accepting != null) accepting.interrupt(); // it may be waiting for a handshake slot
        for (PeerConnection c : torrent.connections()) c.close();
        if (announcer != null) announcer.close(); // after the peers: the stopped event carries the final counters
        hasher.close();
        storage.close();
        saveResumeData();
    }

    /** After a clean close, so the next start can skip the re-check (see {@link ResumeData}). */
    private void saveResumeData() {
        BitSet have = torrent.have();
        if (have.isEmpty()) return;
        try {
            ResumeData.save(options.folder(), metainfo.infoHash(), metainfo.info(), have);
        } catch (IOException e) {
            log.warn("could not save resume data (the next start re-checks instead): {}", e.toString());
        }
    }
}
