package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.MemoryBudget;
import org.jtorrent.metainfo.Metainfo;

/**
 * One torrent in a session of its own, as {@code jtorrent download} ran it before sessions: the
 * download's settings become the session's, and {@link #start} returns once the torrent was checked
 * and started (or throws what stopped it). Tests and small programs use it; programs with many
 * torrents use {@link Session} directly.
 */
public final class Download implements AutoCloseable {
    private final Metainfo metainfo;
    private final Session session;
    private final TorrentHandle handle;
    private final long started = System.nanoTime();

    private Download(Metainfo metainfo, Session session, TorrentHandle handle) {
        this.metainfo = metainfo;
        this.session = session;
        this.handle = handle;
    }

    public static Download start(Metainfo metainfo, DownloadOptions options) throws IOException {
        return start(metainfo, options, bind(options));
    }

    private static ServerSocketChannel bind(DownloadOptions options) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(); // channels: the frame reader reads them into direct buffers
        try {
            listener.bind(new InetSocketAddress(options.bind(), options.listenPort()), Session.HANDSHAKE_SLOTS);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Starts a download kept in {@code state} (see {@link Session#Session(SessionConfig, StateDirectory, Duration)}):
     * if the directory holds the torrent, it goes on from there (its counters, its resume data, even
     * after a {@code kill -9}); else it is added and recorded.
     */
    public static Download start(Metainfo metainfo, DownloadOptions options, StateDirectory state, Duration resumeInterval)
            throws IOException {
        ServerSocketChannel listener = bind(options);
        return start(metainfo, options, listener, new Session(sessionConfig(options), state, resumeInterval));
    }

    /** Starts with a bound listener of the caller's (tests hand in one that fails on purpose); closes it on failure. */
    static Download start(Metainfo metainfo, DownloadOptions options, ServerSocketChannel listener) throws IOException {
        return start(metainfo, options, listener, new Session(sessionConfig(options)));
    }

    private static Download start(Metainfo metainfo, DownloadOptions options, ServerSocketChannel listener, Session session)
            throws IOException {
        try {
            session.start(listener);
            TorrentHandle handle = session.torrent(metainfo.infoHash()).orElse(null);
            if (handle == null) {
                handle = session.add(metainfo, new TorrentOptions(options.folder(), options.peers(), options.maxPeers(), false, 0, 0,
                        options.selection()));
            } else {
                handle.addPeers(options.peers());
            }
            awaitRunning(handle);
            return new Download(metainfo, session, handle);
        } catch (IOException | RuntimeException e) {
            session.close();
            listener.close();
            throw e;
        }
    }

    /** The session a download's settings make: its one torrent is never queued. */
    static SessionConfig sessionConfig(DownloadOptions o) {
        return SessionConfig.defaults().withListenPort(o.listenPort()).withBind(o.bind()).withPeerConfig(o.peer())
                .withStorage(o.storage()).withTrackers(o.useTrackers(), o.tracker())
                .withConnectionCaps(Math.max(SessionConfig.DEFAULT_MAX_CONNECTIONS, o.maxPeers()), SessionConfig.DEFAULT_MAX_HALF_OPEN)
                .withMemoryCap(o.memoryCap()).withLimits(o.limits()).withDisk(diskFor(o));
    }

    /**
     * Today's per-download limits (its file cap; a budget that holds its partial-piece cap beside its
     * read cache), so one torrent runs exactly as before sessions.
     */
    private static DiskResources.Config diskFor(DownloadOptions options) {
        long memory = Math.max(DiskResources.Config.DEFAULT.memoryBytes(),
                MemoryBudget.capacityFor(options.memoryCap() + Torrent.READ_CACHE_BYTES));
        return DiskResources.Config.DEFAULT.withOpenFiles(options.storage().openFileCap()).withMemoryBytes(memory);
    }

    /** Waits until the check is done and the torrent runs; throws the reason if it went to error. */
    private static void awaitRunning(TorrentHandle handle) throws IOException {
        try {
            while (!handle.state().isActive()) {
                if (handle.state() == TorrentState.ERROR) {
                    try {
                        handle.completion().getNow(null);
                    } catch (java.util.concurrent.CompletionException e) {
                        if (e.getCause() instanceof IOException io) throw io;
                    }
                    throw new IOException(handle.status().error());
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting");
        }
    }

    /** The torrent's live state; fails if it is not running (stopped by an error). */
    public Torrent torrent() {
        return handle.liveTorrent().orElseThrow(() -> new IllegalStateException("not running: " + handle.state()));
    }

    public TorrentHandle handle() {
        return handle;
    }

    /** Payload uploaded in this run, over open and closed connections alike. */
    public long uploadedBytes() {
        return handle.status().uploadedBytes();
    }

    public int listenPort() {
        return session.listenPort();
    }

    /** Waits until every piece is verified; rethrows a storage failure. Returns false on timeout. */
    public boolean awaitComplete(Duration timeout) throws IOException, InterruptedException {
        // The live torrent's own future while it runs: it is replaced at once when more files are
        // selected (the handle learns of that a moment later); it fails as the handle's does.
        java.util.concurrent.CompletableFuture<Void> done = handle.liveTorrent().map(Torrent::completion).orElse(handle.completion());
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    public DownloadResult result() {
        return DownloadResult.of(handle, (System.nanoTime() - started) / 1e9);
    }

    /** More peers to dial, kept like {@code --peer} ones (e.g. from a user, or a test). */
    public void addPeers(java.util.Collection<InetSocketAddress> peers) {
        handle.liveRun().ifPresent(r -> r.peerSet().offer(peers, true));
    }

    /** Peers known from trackers and the command line (connected or not). */
    public int knownPeers() {
        return handle.liveRun().map(r -> r.peerSet().knownCount()).orElse(0);
    }

    @Override
    public void close() throws IOException {
        session.close();
    }
}
