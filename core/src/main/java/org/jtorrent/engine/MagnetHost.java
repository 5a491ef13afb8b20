package org.jtorrent.engine;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metadata.MetadataExchange;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerExtension;
import org.jtorrent.peer.PeerHost;
import org.jtorrent.wire.BlockRef;
import org.jtorrent.wire.ProtocolException;

/**
 * The host of a magnet torrent's connections, for their whole life: while the torrent fetches its
 * metadata it is the swarm itself (it keeps the connections, counts them against the caps, knows no
 * layout, wants nothing); once the torrent runs, {@link #handOver} gives the connections to the
 * {@link Torrent} and from then on every call is the torrent's. One object for both phases, so a
 * connection never has to learn that its host changed, and the switch is one volatile write.
 *
 * <p>The only call that must not straddle the switch is a connection's {@link #closed}: it and
 * {@link #handOver} hold this object's monitor, so a connection that closes is forgotten either
 * here (before) or by the torrent (after), never by neither or both. Nothing else is called under
 * it. Before the hand-over a connection calls nothing that needs a layout: it keeps what its peer
 * says it has ({@link PeerConnection#layoutKnown}) and asks for no blocks.
 */
final class MagnetHost implements Swarm {
    private final InfoHash infoHash;
    private final PeerId localId;
    private final int listenPort;
    private final MetadataExchange exchange;
    private final int maxPeers;
    private final ConnectionSlots slots;
    private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
    private final RateLimiter uploadLimit, downloadLimit;
    private volatile Torrent torrent; // null until the hand-over
    private volatile Torrent.Events events = Torrent.Events.NONE; // the fetching phase's peer set
    private volatile boolean closedForGood;
    /** The connections handed over (for tests: the same objects go on downloading). */
    private volatile List<PeerConnection> handedOver = List.of();

    MagnetHost(InfoHash infoHash, PeerId localId, int listenPort, MetadataExchange exchange, int maxPeers,
               ConnectionSlots slots, TransferLimits limits) {
        this.infoHash = infoHash;
        this.localId = localId;
        this.listenPort = listenPort;
        this.exchange = exchange;
        this.maxPeers = maxPeers;
        this.slots = slots;
        this.uploadLimit = limits.upload();
        this.downloadLimit = limits.download();
    }

    void events(Torrent.Events phaseEvents) {
        this.events = phaseEvents;
    }

    MetadataExchange exchange() {
        return exchange;
    }

    /** The connections of the fetching phase (none after the hand-over). */
    Set<PeerConnection> connections() {
        return Set.copyOf(connections);
    }

    /**
     * The metadata is known and the torrent runs: its connections become {@code runner}'s, each told
     * the layout (which checks and reports what its peer said it has, and starts interest and
     * requests). Called once, on a thread that holds no connection's lock.
     */
    void handOver(Torrent runner) {
        List<PeerConnection> adopted;
        synchronized (this) {
            adopted = List.copyOf(connections);
            runner.adopt(adopted);
            torrent = runner;
            connections.clear();
            handedOver = adopted;
        }
        for (PeerConnection c : adopted) c.layoutKnown();
    }

    /** The connections {@link #handOver} gave the torrent. */
    List<PeerConnection> handedOver() {
        return handedOver;
    }

    /** Closes the connections of the fetching phase (the torrent was paused, removed or failed before running). */
    void closeAll(String why) {
        closedForGood = true;
        for (PeerConnection c : connections()) c.close(new IOException(why));
    }

    // ---- Swarm ----

    @Override
    public int connectionCount() {
        Torrent t = torrent;
        return t != null ? t.connectionCount() : connections.size();
    }

    @Override
    public boolean isComplete() {
        Torrent t = torrent;
        return t != null && t.isComplete();
    }

    @Override
    public boolean isBanned(SocketAddress peer) {
        Torrent t = torrent;
        return t != null && t.isBanned(peer);
    }

    @Override
    public boolean add(PeerConnection connection) {
        String refusal;
        Torrent t;
        synchronized (this) {
            t = torrent;
            refusal = t != null ? null : closedForGood ? "the torrent stopped" : slots.admit(connections, connection, maxPeers);
        }
        if (t != null) return t.add(connection); // handed over meanwhile
        if (refusal != null) {
            connection.close(new IOException(refusal));
            return false;
        }
        connection.start();
        return true;
    }

    // ---- PeerHost: the torrent's once handed over; before, a swarm with no layout ----

    @Override
    public InfoHash infoHash() {
        return infoHash;
    }

    @Override
    public PeerId localId() {
        return localId;
    }

    @Override
    public PieceLayout layout() {
        Torrent t = torrent;
        return t == null ? null : t.layout();
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    @Override
    public List<PeerExtension> extensions() {
        return List.of(exchange);
    }

    @Override
    public long metadataSize() {
        return exchange.metadataSize();
    }

    @Override
    public BitSet have() {
        Torrent t = torrent;
        return t == null ? new BitSet() : t.have();
    }

    @Override
    public boolean wants(BitSet peerHas) {
        Torrent t = torrent;
        return t != null && t.wants(peerHas);
    }

    @Override
    public List<BlockRef> pick(PeerConnection from, BitSet candidates, int max) {
        Torrent t = torrent;
        return t == null ? List.of() : t.pick(from, candidates, max);
    }

    @Override
    public boolean owns(PeerConnection from, BlockRef block) {
        Torrent t = torrent;
        return t != null && t.owns(from, block);
    }

    @Override
    public void returned(PeerConnection from, List<BlockRef> blocks) {
        Torrent t = torrent;
        if (t != null) t.returned(from, blocks);
    }

    @Override
    public void received(PeerConnection from, BlockRef block, ByteBuffer buffer, int offset) throws IOException {
        Torrent t = torrent;
        if (t == null) throw new ProtocolException("a block before the metadata: never requested");
        t.received(from, block, buffer, offset);
    }

    @Override
    public byte[] read(BlockRef block) throws IOException {
        Torrent t = torrent;
        return t == null ? null : t.read(block);
    }

    @Override
    public void peerHas(int piece) {
        Torrent t = torrent;
        if (t != null) t.peerHas(piece);
    }

    @Override
    public void peerHas(BitSet pieces) {
        Torrent t = torrent;
        if (t != null) t.peerHas(pieces);
    }

    @Override
    public void closed(PeerConnection connection, BitSet peerHad, Throwable why) {
        Torrent t;
        boolean ours;
        synchronized (this) {
            t = torrent;
            ours = t == null && connections.remove(connection);
        }
        if (t != null) {
            t.closed(connection, peerHad, why);
            return;
        }
        if (ours) slots.closed();
        events.closed(connection);
    }

    @Override
    public void interestChanged(PeerConnection connection) {
        Torrent t = torrent;
        if (t != null) t.interestChanged(connection);
    }

    @Override
    public RateLimiter uploadLimit() {
        Torrent t = torrent;
        return t != null ? t.uploadLimit() : uploadLimit;
    }

    @Override
    public RateLimiter downloadLimit() {
        Torrent t = torrent;
        return t != null ? t.downloadLimit() : downloadLimit;
    }
}
