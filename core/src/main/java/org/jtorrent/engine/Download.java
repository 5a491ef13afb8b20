package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.ExecutionException;
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
import org.jtorrent.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The minimal engine behind {@code jtorrent download}: re-checks what is on disk, listens for
 * incoming peers, dials the given peers (again after a drop, with backoff), and reports. No
 * tracker, no choker beyond "unchoke whoever is interested": enough to prove the wire and storage
 * layers against real clients.
 */
public final class Download implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Download.class);

    private final Metainfo metainfo;
    private final DownloadOptions options;
    private final Storage storage;
    private final PieceHasher hasher;
    private final Torrent torrent;
    private final ServerSocket listener;
    /** Connections we keep at most; one torrent, a handful of peers in this minimal engine. */
    static final int MAX_CONNECTIONS = 200;
    /** Incoming connections still in their handshake (each may wait up to the handshake timeout). */
    private final Semaphore handshaking = new Semaphore(64);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long started = System.nanoTime();

    private Download(Metainfo metainfo, DownloadOptions options, Storage storage, PieceHasher hasher, Torrent torrent,
                     ServerSocket listener) {
        this.metainfo = metainfo;
        this.options = options;
        this.storage = storage;
        this.hasher = hasher;
        this.torrent = torrent;
        this.listener = listener;
    }

    public static Download start(Metainfo metainfo, DownloadOptions options) throws IOException {
        Storage storage = Storage.open(metainfo.info(), options.folder(), options.storage());
        PieceHasher hasher = PieceHasher.forThisMachine();
        ServerSocket listener = null;
        try {
            BitSet have = Recheck.run(storage, hasher, 8);
            log.info("re-check: {} of {} pieces on disk", have.cardinality(), metainfo.info().pieceCount());
            PartialPieces partial = new PartialPieces(storage, hasher, options.memoryCap());
            Torrent torrent = new Torrent(metainfo, storage, partial, have, PeerId.random());
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(options.bind(), options.listenPort()), 64);
            torrent.listenPort(listener.getLocalPort());
            Download d = new Download(metainfo, options, storage, hasher, torrent, listener);
            Thread.ofVirtual().name("accept").start(d::acceptLoop);
            for (InetSocketAddress peer : options.peers()) Thread.ofVirtual().name("dial " + peer).start(() -> d.dialLoop(peer));
            return d;
        } catch (IOException | RuntimeException e) {
            if (listener != null) listener.close();
            hasher.close();
            storage.close();
            throw e;
        }
    }

    public Torrent torrent() {
        return torrent;
    }

    public int listenPort() {
        return listener.getLocalPort();
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
        long uploaded = 0;
        for (PeerSummary p : torrent.summaries()) uploaded += p.uploadedBytes();
        return new DownloadResult(metainfo.infoHash().hex(), torrent.isComplete(), torrent.verifiedBytes(), uploaded,
                (System.nanoTime() - started) / 1e9, torrent.summaries());
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
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
            Thread.ofVirtual().name("accept " + socket.getRemoteSocketAddress()).start(() -> {
                try {
                    if (torrent.connections().size() >= MAX_CONNECTIONS) throw new IOException("too many connections");
                    torrent.add(PeerConnection.accept(socket, torrent, options.peer()));
                } catch (IOException e) {
                    closeQuietly(socket);
                    log.info("incoming {} refused: {}", socket.getRemoteSocketAddress(), e.toString());
                } finally {
                    handshaking.release();
                }
            });
        }
    }

    /**
     * Keeps one connection to {@code peer}, redialling with backoff (0.5 to 10 s), until both sides
     * are complete: while we need pieces, to fetch them; once we are complete, to serve a leecher
     * that does not dial out itself (Transmission ignores 127.x peers). A peer that refused us
     * early, e.g. before it had loaded the torrent, is tried again.
     */
    private void dialLoop(InetSocketAddress peer) {
        long backoffMillis = 500;
        while (!closed.get()) {
            try {
                PeerConnection c = PeerConnection.connect(peer, new InetSocketAddress(options.bind(), 0), torrent, options.peer());
                torrent.add(c);
                while (!c.isClosed() && !closed.get()) Thread.sleep(200);
                if (torrent.isComplete() && c.peerHasAll()) return;
                backoffMillis = 500;
            } catch (IOException e) {
                log.info("dialing {} failed: {}", peer, e.toString());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, 10_000);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: we are dropping it
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) return;
        listener.close();
        for (PeerConnection c : torrent.connections()) c.close();
        hasher.close();
        storage.close();
    }
}
