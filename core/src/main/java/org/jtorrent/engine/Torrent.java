package org.jtorrent.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerHost;
import org.jtorrent.pieces.Block;
import org.jtorrent.pieces.PiecePicker;
import org.jtorrent.storage.PartialPieces;
import org.jtorrent.storage.Storage;
import org.jtorrent.storage.StorageException;
import org.jtorrent.wire.BlockRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent's live state: the picker, storage and the open connections. Implements
 * {@link PeerHost}, so connections see only the narrow view they need. Completion is a future:
 * done when every piece verified, failed on a storage error (a full disk stops the download; the
 * pieces verified so far stay on disk and are found again by the re-check on the next start).
 */
public final class Torrent implements PeerHost {
    private static final Logger log = LoggerFactory.getLogger(Torrent.class);

    private final Metainfo metainfo;
    private final PieceLayout layout;
    private final Storage storage;
    private final PartialPieces partial;
    private final PiecePicker picker;
    private final PeerId localId;
    private volatile int listenPort;
    private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<PeerSummary> finished = new ArrayList<>();
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final AtomicLong verifiedBytes = new AtomicLong();
    /** Runs piece verdicts off the reader threads (see received). */
    private final Executor verdicts = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("piece-verdict").factory());

    public Torrent(Metainfo metainfo, Storage storage, PartialPieces partial, BitSet have, PeerId localId) {
        this.metainfo = metainfo;
        this.layout = metainfo.info().layout();
        this.storage = storage;
        this.partial = partial;
        this.picker = new PiecePicker(layout, have);
        this.localId = localId;
        if (picker.complete()) completion.complete(null);
    }

    void listenPort(int port) {
        this.listenPort = port;
    }

    /** Completes when every piece is verified; fails when storage fails. */
    public CompletableFuture<Void> completion() {
        return completion;
    }

    public boolean isComplete() {
        return picker.complete();
    }

    /** Payload bytes downloaded and verified in this run. */
    public long verifiedBytes() {
        return verifiedBytes.get();
    }

    public void add(PeerConnection connection) {
        connections.add(connection);
        connection.start();
    }

    public Set<PeerConnection> connections() {
        return Set.copyOf(connections);
    }

    public synchronized List<PeerSummary> summaries() {
        List<PeerSummary> all = new ArrayList<>(finished);
        for (PeerConnection c : connections) all.add(summary(c));
        return all;
    }

    private static PeerSummary summary(PeerConnection c) {
        Throwable why = c.closeReason();
        return new PeerSummary(String.valueOf(c.address()), c.peerClient().orElse(""), c.downloaded(), c.uploaded(),
                why == null ? "" : why.getMessage() != null ? why.getMessage() : why.getClass().getSimpleName());
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

    @Override
    public BitSet have() {
        return picker.have();
    }

    @Override
    public boolean wants(BitSet peerHas) {
        return picker.wantsAny(peerHas);
    }

    @Override
    public List<BlockRef> pick(BitSet candidates, int max) {
        return picker.pick(candidates, max).stream().map(b -> new BlockRef(b.piece(), b.begin(), b.length())).toList();
    }

    @Override
    public void returned(List<BlockRef> blocks) {
        for (BlockRef b : blocks) picker.returned(new Block(b.piece(), b.begin(), b.length()));
    }

    @Override
    public void received(BlockRef block, byte[] data) throws IOException {
        CompletableFuture<Boolean> done;
        try {
            done = partial.add(block.piece(), block.begin(), data);
        } catch (StorageException e) { // a block spilled to a full disk: the whole download stops
            completion.completeExceptionally(e);
            throw e;
        }
        if (done == null) return;
        int piece = block.piece();
        // The verdict fans out to every connection (have, interest, refill), each taking its own lock.
        // Running it here, on a reader that holds its connection's lock, deadlocks two readers that
        // finish pieces at once (the demo swarm hung so); hand it to another thread instead.
        done.whenCompleteAsync((ok, error) -> {
            if (error != null) {
                log.error("storage failed, stopping: {}", error.getMessage());
                completion.completeExceptionally(error);
            } else if (ok) {
                pieceVerified(piece);
            } else {
                log.warn("piece {} failed its hash check; fetching it again", piece);
                picker.failed(piece);
                connections.forEach(PeerConnection::refill);
            }
        }, verdicts);
    }

    private void pieceVerified(int piece) {
        // Count the bytes before the picker can call the torrent complete: pieces verify on several
        // hashing threads, and the one that finishes last must not report a total without ours.
        verifiedBytes.addAndGet(layout.pieceSize(piece));
        picker.verified(piece);
        connections.forEach(c -> c.pieceVerified(piece));
        if (picker.complete()) completion.complete(null);
    }

    @Override
    public byte[] read(BlockRef block) throws IOException {
        if (!picker.have().get(block.piece())) return null;
        byte[] data = new byte[block.length()];
        return storage.read(block.piece(), block.begin(), ByteBuffer.wrap(data)) ? data : null;
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
            if (connections.remove(connection)) finished.add(summary(connection));
        }
        log.info("peer {} closed: {}", connection.address(), why == null ? "by us" : why.toString());
    }
}
