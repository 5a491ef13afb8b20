package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.PieceLayout.FileSlice;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerExtension;
import org.jtorrent.peer.PeerHost;
import org.jtorrent.metadata.MetadataExchange;
import org.jtorrent.pieces.PiecePicker;
import org.jtorrent.storage.PartialPieces;
import org.jtorrent.storage.ReadCache;
import org.jtorrent.storage.Storage;
import org.jtorrent.storage.StorageException;
import org.jtorrent.wire.BlockRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent's live state: the picker, storage and the open connections. Implements
 * {@link PeerHost}, so connections see only the narrow view they need. Completion is a future:
 * done when every wanted piece verified (every piece, unless file priorities leave some out),
 * failed on a storage error (a full disk stops the download; the pieces verified so far stay on
 * disk and are found again by the re-check on the next start). Selecting more files later makes it
 * unfinished again: {@link #completion()} then hands out a new future. {@link #seeding()} is done
 * once every piece of the torrent is had.
 *
 * <p>File priorities and the sequential mode can change while it runs ({@link #filePriorities},
 * {@link #sequential}): storage moves the bytes of newly wanted files out of the part file first,
 * then the picker learns the new levels, then every connection reconsiders its interest.
 *
 * <p>Every arriving block goes through the picker first: only the first copy of a block of a piece
 * not yet had reaches storage (a verified piece is never written again); later copies, blocks of
 * pieces that failed their hash and unsolicited leftovers of cancelled requests are counted as
 * {@link #wastedBytes()}. Peers that contribute to failed pieces lose trust and are banned
 * ({@link PeerTrust}); a ban covers the peer's address, whatever port it comes from.
 */
public final class Torrent implements Swarm {
    private static final Logger log = LoggerFactory.getLogger(Torrent.class);
    /** Runs piece outcomes on a thread that holds no connection's lock. */
    private static final java.util.concurrent.Executor OUTCOMES = r -> Thread.ofVirtual().name("piece-outcome").start(r);

    private final Metainfo metainfo;
    private final PieceLayout layout;
    private final Storage storage;
    private final PartialPieces partial;
    private final PiecePicker picker;
    private final PeerId localId;
    private volatile int listenPort;
    private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
    /**
     * Summaries of the latest closed connections, for the end-of-run report: at most
     * {@link #FINISHED_KEPT}, so a torrent seeding for months does not keep one per connection it
     * ever had. Their bytes stay counted in {@link #closedReceived} and {@link #closedSent}.
     */
    private final java.util.ArrayDeque<PeerSummary> finished = new java.util.ArrayDeque<>();
    static final int FINISHED_KEPT = 1000;
    private long closedReceived, closedSent; // guarded by this
    private final CompletableFuture<StorageException> storageFailure = new CompletableFuture<>();
    /** Guards {@link #completion} and {@link #failure}: a completed future is replaced when more becomes wanted. */
    private final Object finishing = new Object();
    private CompletableFuture<Void> completion = new CompletableFuture<>();
    private Throwable failure;
    private final CompletableFuture<Void> seeding = new CompletableFuture<>();
    private final List<Runnable> onFinished = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Serialises priority changes: each one is storage, then picker, then interest, as a whole. */
    private final Object selecting = new Object();
    private volatile java.util.function.IntConsumer verifiedListener = piece -> { };
    private final AtomicLong verifiedBytes = new AtomicLong();
    private final AtomicLong wastedBytes = new AtomicLong();
    private final PeerTrust trust = new PeerTrust();
    private final Set<InetAddress> banned = ConcurrentHashMap.newKeySet();
    /** Bytes of each piece that are not padding: what a tracker's {@code left} counts. */
    private final int[] payloadBytes;
    private volatile Events events = Events.NONE;
    private volatile ChokeDriver choker; // null until the download starts one
    /** Uploads read whole pieces through this: a few pieces of any usual size, within the memory budget. */
    private final ReadCache readCache;
    static final long READ_CACHE_BYTES = 16L * 1024 * 1024;
    private volatile TransferLimits limits = TransferLimits.DEFAULT;
    private final int maxPeers;
    private final ConnectionSlots slots;
    /** Serves the info dictionary to peers that ask (BEP 9). */
    private final MetadataExchange metadataExchange;

    /** What the peer set needs to hear from the torrent. Called from connection and hasher threads. */
    interface Events {
        Events NONE = new Events() {
        };

        default void closed(PeerConnection connection) {
        }

        default void banned(InetAddress peer) {
        }

        default void pieceVerified(int piece) {
        }

        default void pieceFailed(int piece) {
        }

        /** The torrent was finished and wants more again (files selected later). */
        default void unfinished() {
        }
    }

    public Torrent(Metainfo metainfo, Storage storage, PartialPieces partial, BitSet have, PeerId localId) {
        this(metainfo, storage, partial, have, localId, Integer.MAX_VALUE, new ConnectionSlots(Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    /**
     * @param maxPeers this torrent's connections at most
     * @param slots    the session's connection caps, shared by every torrent
     */
    Torrent(Metainfo metainfo, Storage storage, PartialPieces partial, BitSet have, PeerId localId, int maxPeers,
            ConnectionSlots slots) {
        this.maxPeers = maxPeers;
        this.slots = slots;
        this.metainfo = metainfo;
        this.layout = metainfo.info().layout();
        this.storage = storage;
        this.partial = partial;
        this.picker = new PiecePicker(layout, have);
        this.readCache = new ReadCache(storage, READ_CACHE_BYTES);
        this.metadataExchange = MetadataExchange.serving(metainfo.infoBytes());
        this.localId = localId;
        this.payloadBytes = new int[layout.pieceCount()];
        for (int piece = 0; piece < payloadBytes.length; piece++) {
            for (FileSlice slice : layout.slices(piece)) if (!slice.padding()) payloadBytes[piece] += slice.length();
        }
        updateFinished();
    }

    // ---- selection ----

    /**
     * Sets the file priorities (one per file, 0..7; 0 = do not download), now or while running. A
     * file selected later is fetched and peers that have it become interesting again; its bytes
     * kept in the part file move into place first, so no verified piece is fetched again.
     */
    public void filePriorities(int[] priorities) throws IOException {
        int[] levels = org.jtorrent.metainfo.Priorities.checkFiles(layout, priorities);
        synchronized (selecting) {
            storage.filePriorities(levels);
            picker.filePriorities(levels);
        }
        updateFinished();
        connections.forEach(PeerConnection::refill);
    }

    /**
     * Sets one piece's level (0..7; 0 = do not download), e.g. for a player that seeks. File
     * priorities set later replace it. Where the piece's bytes are stored follows the files' levels.
     */
    public void piecePriority(int piece, int level) {
        synchronized (selecting) {
            picker.piecePriority(piece, level);
        }
        updateFinished();
        connections.forEach(PeerConnection::refill);
    }

    /** The file priorities in force. */
    public int[] filePriorities() {
        return storage.filePriorities();
    }

    /**
     * Sequential mode (pieces in index order within the picker's window, for streaming) or rarest
     * first; {@code fileEndsFirst}: the first and last piece of each wanted file before the rest.
     */
    public void sequential(boolean sequential, boolean fileEndsFirst) {
        picker.sequential(sequential, fileEndsFirst);
        connections.forEach(PeerConnection::refill);
    }

    /** How many pieces ahead of the first missing one sequential mode may start a piece. */
    public int sequentialWindow() {
        return picker.sequentialWindow();
    }

    /** Sets the sequential window (default: 32 MiB of pieces, at least 4): a player's read-ahead. */
    public void sequentialWindow(int pieces) {
        picker.sequentialWindow(pieces);
        connections.forEach(PeerConnection::refill);
    }

    /** Runs {@code action} each time every wanted piece is verified (again, after more was selected). */
    public void onFinished(Runnable action) {
        onFinished.add(action);
        if (isComplete()) action.run();
    }

    /** Called with each piece as it verifies (after the picker has it); tests record the order. */
    void verifiedListener(java.util.function.IntConsumer listener) {
        this.verifiedListener = listener;
    }

    private void updateFinished() {
        boolean finishedNow = false;
        boolean unfinishedNow = false;
        synchronized (finishing) {
            if (failure == null) {
                if (picker.hasAllWanted()) {
                    finishedNow = completion.complete(null);
                } else if (completion.isDone()) {
                    completion = new CompletableFuture<>();
                    unfinishedNow = true;
                }
            }
        }
        if (picker.hasAll()) seeding.complete(null);
        if (finishedNow) onFinished.forEach(Runnable::run);
        if (unfinishedNow) events.unfinished();
    }

    private void fail(Throwable error) {
        synchronized (finishing) {
            if (failure == null) failure = error;
            if (!completion.completeExceptionally(error) && !completion.isCompletedExceptionally()) {
                completion = CompletableFuture.failedFuture(error);
            }
        }
        seeding.completeExceptionally(error);
    }

    void listenPort(int port) {
        this.listenPort = port;
    }

    void events(Events events) {
        this.events = events;
    }

    /** Hands interest changes and departures to the choker, and applies the rate limits. */
    /** The limits its transfers are charged to: its own, its share of the session's, the session's. */
    TransferLimits limits() {
        return limits;
    }

    void transfers(ChokeDriver driver, TransferLimits transferLimits) {
        this.choker = driver;
        this.limits = transferLimits;
    }

    @Override
    public void interestChanged(PeerConnection connection) {
        ChokeDriver driver = choker;
        if (driver != null) driver.wake();
    }

    @Override
    public RateLimiter uploadLimit() {
        return limits.upload();
    }

    @Override
    public RateLimiter downloadLimit() {
        return limits.download();
    }

    /** Completes when every wanted piece is verified; fails when storage fails. */
    public CompletableFuture<Void> completion() {
        synchronized (finishing) {
            return completion;
        }
    }

    /**
     * Completes with the first storage error of this torrent, while downloading (a full disk) or
     * seeding (a file deleted under it) alike: the owner moves the torrent to error with its
     * message. Other torrents on the same disk resources are not affected. Never completes on a
     * healthy disk.
     */
    public CompletableFuture<StorageException> storageFailure() {
        return storageFailure;
    }

    private void storageFailed(Throwable error) {
        // Stopping (paused, removed, closed) cuts I/O short and cancels verifications: no disk error.
        if (storage.isClosed()) return;
        StorageException e = error instanceof StorageException s ? s
                : new StorageException("storage failed: " + error, error);
        if (storageFailure.complete(e)) log.error("storage failed, stopping: {}", e.getMessage());
        fail(e);
    }

    /** Completes when every piece of the torrent is verified (a seed); fails when storage fails. */
    public CompletableFuture<Void> seeding() {
        return seeding;
    }

    /** Every wanted piece verified: the download is finished (see {@link #isSeed()} for every piece). */
    public boolean isComplete() {
        return picker.hasAllWanted();
    }

    /** Every piece of the torrent verified. */
    public boolean isSeed() {
        return picker.hasAll();
    }

    /** Payload bytes downloaded and verified in this run. */
    public long verifiedBytes() {
        return verifiedBytes.get();
    }

    /** Bytes received in this run that were not stored: duplicates, and pieces that failed their hash. */
    public long wastedBytes() {
        return wastedBytes.get();
    }

    /** Bytes of the pieces we have (verified on disk, from the re-check or this run), padding included. */
    public long haveBytes() {
        return bytesOf(picker.have());
    }

    /** Bytes of the wanted pieces (padding included): what {@link #haveWantedBytes()} reaches when finished. */
    public long wantedBytes() {
        return bytesOf(picker.wanted());
    }

    /** Bytes of the wanted pieces we have: progress against {@link #wantedBytes()}. */
    public long haveWantedBytes() {
        BitSet pieces = picker.wanted();
        pieces.and(picker.have());
        return bytesOf(pieces);
    }

    private long bytesOf(BitSet pieces) {
        long bytes = 0;
        for (int piece = pieces.nextSetBit(0); piece >= 0; piece = pieces.nextSetBit(piece + 1)) bytes += layout.pieceSize(piece);
        return bytes;
    }

    /** Payload bytes still missing, padding excluded: the tracker's {@code left}. */
    public long leftBytes() {
        BitSet have = picker.have();
        long left = 0;
        for (int piece = have.nextClearBit(0); piece < payloadBytes.length; piece = have.nextClearBit(piece + 1)) {
            left += payloadBytes[piece];
        }
        return left;
    }

    /** Whether the peer's address is banned (any port of it). */
    public boolean isBanned(SocketAddress peer) {
        InetAddress host = host(peer);
        return host != null && banned.contains(host);
    }

    /** The address of a socket address, or null for an unresolved or non-IP one (never banned). */
    private static InetAddress host(SocketAddress peer) {
        return peer instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /**
     * Starts a handshaken connection, unless it comes from a banned address, is a second
     * connection to a peer we are already connected to (same peer id: it dialled us as we dialled it),
     * or would pass this torrent's or the session's connection cap.
     * Returns whether it was taken; if not, it is closed.
     */
    public boolean add(PeerConnection connection) {
        String refusal = null;
        if (isBanned(connection.address())) refusal = "banned";
        synchronized (this) {
            if (refusal == null) refusal = slots.admit(connections, connection, maxPeers);
        }
        if (refusal != null) {
            connection.close(new IOException(refusal));
            return false;
        }
        connection.start();
        return true;
    }

    /**
     * Takes over connections made while the torrent fetched its metadata (already started, already
     * holding their connection slots): they become this torrent's as they are, and the caller then
     * gives each the layout ({@link PeerConnection#layoutKnown}), which reports what its peer has.
     */
    void adopt(java.util.Collection<PeerConnection> adopted) {
        synchronized (this) {
            connections.addAll(adopted);
        }
        interestChanged(null); // the choker looks at them
    }

    public int connectionCount() {
        return connections.size();
    }

    public Set<PeerConnection> connections() {
        return Set.copyOf(connections);
    }

    public synchronized List<PeerSummary> summaries() {
        List<PeerSummary> all = new ArrayList<>(finished);
        for (PeerConnection c : connections) all.add(summary(c));
        return all;
    }

    /** The open connections as they are now. */
    public List<PeerStatus> peers() {
        List<PeerStatus> peers = new ArrayList<>();
        int pieces = Math.max(1, layout.pieceCount());
        for (PeerConnection c : connections) {
            peers.add(new PeerStatus(String.valueOf(c.address()), c.peerClient().orElse(""), c.peerPieceCount() / (double) pieces,
                    c.downloaded(), c.uploaded(), c.isChoking(), c.isPeerInterested(), c.isSnubbed(), c.encrypted()));
        }
        return peers;
    }

    /** Payload received over every connection of this torrent, open and closed, verified or not. */
    public synchronized long receivedBytes() {
        long bytes = closedReceived;
        for (PeerConnection c : connections) bytes += c.downloaded();
        return bytes;
    }

    /** Payload sent over every connection of this torrent, open and closed. */
    public synchronized long sentBytes() {
        long bytes = closedSent;
        for (PeerConnection c : connections) bytes += c.uploaded();
        return bytes;
    }

    /** Verified payload bytes per file (padding files count 0), from the pieces we have. */
    public long[] fileProgress() {
        return fileProgress(layout, metainfo.info().files().size(), picker.have());
    }

    /** Verified payload bytes per file (padding files count 0) of {@code have}. */
    static long[] fileProgress(PieceLayout layout, int files, BitSet have) {
        long[] perFile = new long[files];
        for (int piece = have.nextSetBit(0); piece >= 0; piece = have.nextSetBit(piece + 1)) {
            for (FileSlice slice : layout.slices(piece)) if (!slice.padding()) perFile[slice.file()] += slice.length();
        }
        return perFile;
    }

    private static PeerSummary summary(PeerConnection c) {
        Throwable why = c.closeReason();
        return new PeerSummary(String.valueOf(c.address()), c.peerClient().orElse(""), c.downloaded(), c.uploaded(),
                why == null ? "" : why.getMessage() != null ? why.getMessage() : why.getClass().getSimpleName(), c.encrypted());
    }

    // ---- PeerHost ----

    @Override
    public InfoHash infoHash() {
        return metainfo.infoHash();
    }

    @Override
    public PeerId localId() {
        return localId;
    }

    @Override
    public PieceLayout layout() {
        return layout;
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    /**
     * {@code ut_metadata}, except for a private torrent (BEP 27): libtorrent 2.0.8 offers neither it
     * nor {@code ut_pex} for one (checked against libtorrent: its handshake's
     * {@code m} lists neither, and it sends no {@code metadata_size}), and neither do we.
     */
    @Override
    public List<PeerExtension> extensions() {
        return metainfo.info().isPrivate() ? List.of() : List.of(metadataExchange);
    }

    @Override
    public long metadataSize() {
        return metainfo.info().isPrivate() ? 0 : metadataExchange.metadataSize();
    }

    @Override
    public BitSet have() {
        return picker.have();
    }

    @Override
    public boolean wants(BitSet peerHas) {
        return picker.wantsAny(peerHas);
    }

    @Override
    public List<BlockRef> pick(PeerConnection from, BitSet candidates, int max) {
        return picker.pick(from, candidates, max);
    }

    @Override
    public boolean owns(PeerConnection from, BlockRef block) {
        return picker.owns(from, block);
    }

    @Override
    public void returned(PeerConnection from, List<BlockRef> blocks) {
        for (BlockRef b : blocks) picker.returned(from, b);
    }

    @Override
    public void received(PeerConnection from, BlockRef block, ByteBuffer buffer, int offset) throws IOException {
        PiecePicker.Arrival arrival = picker.received(from, block);
        if (!arrival.first()) {
            wastedBytes.addAndGet(block.length());
            return;
        }
        for (Object loser : arrival.losers()) ((PeerConnection) loser).cancel(block);
        InetAddress contributor = host(from.address());
        if (contributor != null) trust.contributed(block.piece(), contributor);
        CompletableFuture<Boolean> done;
        try {
            done = partial.add(block.piece(), block.begin(), buffer, offset, block.length());
        } catch (StorageException e) { // a block spilled to a full disk: the whole download stops
            storageFailed(e);
            throw e;
        }
        if (done == null) return;
        int piece = block.piece();
        // Async: if hashing already finished, whenComplete would run the outcome on this reader
        // thread, which holds its connection's lock while the outcome takes every other one's.
        done.whenCompleteAsync((ok, error) -> {
            if (error != null) {
                storageFailed(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : error);
            } else if (ok) {
                pieceVerified(piece);
            } else {
                pieceFailed(piece);
            }
        }, OUTCOMES);
    }

    private void pieceFailed(int piece) {
        log.warn("piece {} failed its hash check; fetching it again", piece);
        wastedBytes.addAndGet(layout.pieceSize(piece));
        // Blame first, then free the piece: once the picker wants it again, blocks of the next
        // attempt (honest ones, perhaps) add contributors that must not share this failure.
        List<InetAddress> banned = trust.failed(piece);
        picker.failed(piece);
        for (InetAddress peer : banned) ban(peer);
        connections.forEach(PeerConnection::refill);
        events.pieceFailed(piece);
    }

    private void ban(InetAddress peer) {
        if (!banned.add(peer)) return;
        log.warn("banning {}: it took part in repeated hash failures", peer.getHostAddress());
        for (PeerConnection c : connections) {
            if (peer.equals(host(c.address()))) c.close(new IOException("banned: sent data that failed hash checks"));
        }
        events.banned(peer);
    }

    private void pieceVerified(int piece) {
        trust.verified(piece);
        // Count the bytes before the picker can call the torrent complete: pieces verify on several
        // hashing threads, and the one that finishes last must not report a total without ours.
        verifiedBytes.addAndGet(layout.pieceSize(piece));
        picker.verified(piece);
        verifiedListener.accept(piece);
        connections.forEach(c -> c.pieceVerified(piece));
        events.pieceVerified(piece);
        // The sequential window slid: peers idle because nothing in it was left for them get work.
        if (picker.isSequential()) connections.forEach(PeerConnection::refill);
        updateFinished();
    }

    @Override
    public boolean reserveSendBuffer(int bytes, Duration timeout) throws InterruptedException {
        return storage.resources().memory().acquire(bytes, timeout);
    }

    @Override
    public void releaseSendBuffer(long bytes) {
        storage.resources().memory().release(bytes);
    }

    @Override
    public byte[] read(BlockRef block) throws IOException {
        if (!picker.has(block.piece())) return null;
        byte[] data = new byte[block.length()];
        try {
            readCache.read(block.piece(), layout.pieceSize(block.piece()), block.begin(), ByteBuffer.wrap(data));
        } catch (StorageException e) { // our data is gone (a file deleted under us): the torrent fails, not just this peer
            storageFailed(e);
            throw e;
        }
        return data;
    }

    @Override
    public void peerHas(int piece) {
        picker.peerHas(piece);
    }

    @Override
    public void peerHas(BitSet pieces) {
        picker.peerHas(pieces);
    }

    @Override
    public void closed(PeerConnection connection, BitSet peerHad, Throwable why) {
        picker.peerGone(peerHad);
        synchronized (this) {
            if (connections.remove(connection)) {
                finished.addLast(summary(connection));
                if (finished.size() > FINISHED_KEPT) finished.removeFirst();
                closedReceived += connection.downloaded();
                closedSent += connection.uploaded();
                slots.closed();
            }
        }
        events.closed(connection);
        interestChanged(connection); // its slot is free
        log.info("peer {} closed: {}", connection.address(), why == null ? "by us" : why.toString());
    }
}
