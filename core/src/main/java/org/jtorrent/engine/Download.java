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
    /** Incoming connections still in their handshake (each may wait up to the handshake timeout). */
    private final Semaphore handshaking = new Semaphore(64);
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
        Storage storage = Storage.open(metainfo.info(), options.folder(), options.storage());
        PieceHasher hasher = PieceHasher.forThisMachine();
        ServerSocketChannel listener = null;
        try {
            BitSet have = resumeOrRecheck(metainfo, options, storage, hasher);
            PartialPieces partial = new PartialPieces(storage, hasher, options.memoryCap());
            PeerId peerId = PeerId.random();
            Torrent torrent = new Torrent(metainfo, storage, partial, have, peerId);
            // The last data is made durable while the caller reports and closes, not after.
            torrent.completion().thenRun(storage::flushInBackground);
            listener = ServerSocketChannel.open(); // channels: the frame reader reads them into direct buffers
            listener.bind(new InetSocketAddress(options.bind(), options.listenPort()), 64);
            torrent.listenPort(port(listener));
            Download d = new Download(metainfo, options, storage, hasher, torrent, listener, peerId);
            Thread.ofVirtual().name("accept").start(d::acceptLoop);
            if (d.announcer != null) {
                // "completed" is for a download that completes in this run: one that starts
                // complete is a seeder, announced by "started" with left = 0.
                if (!torrent.isComplete()) torrent.completion().thenRun(d.announcer::completed);
                d.announcer.start();
            }
            return d;
        } catch (IOException | RuntimeException e) {
            if (listener != null) listener.close();
            hasher.close();
            storage.close();
            throw e;
        }
    }

    /** The pieces on disk: from a resume file that still matches the files, else by hashing them all. */
    private static BitSet resumeOrRecheck(Metainfo metainfo, DownloadOptions options, Storage storage, PieceHasher hasher)
            throws IOException {
        var resumed = ResumeData.load(options.folder(), metainfo.infoHash(), metainfo.info());
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

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) log.warn("listener failed: {}", e.toString());
                return;
            }
            if (!handshaking.tryAcquire()) { // a connection flood costs a close each, not a thread each
                closeQuietly(socket);
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
