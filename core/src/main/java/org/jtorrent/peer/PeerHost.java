package org.jtorrent.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.wire.BlockRef;

/**
 * What a connection needs from the torrent it belongs to: the engine implements it. Calls come from
 * connection threads concurrently. Keeps the peer package free of storage and picking policy.
 */
public interface PeerHost {
    InfoHash infoHash();

    PeerId localId();

    /** The torrent's piece layout; null while its metadata is being fetched (a magnet link). */
    PieceLayout layout();

    /** Our listen port, advertised in the extension handshake (0: none). */
    int listenPort();

    /** The pieces we have (a copy). */
    BitSet have();

    /** Whether a peer with these pieces has something we want. */
    boolean wants(BitSet peerHas);

    /** Up to {@code max} blocks to request from pieces in {@code candidates}; {@code from} owns them. */
    List<BlockRef> pick(PeerConnection from, BitSet candidates, int max);

    /** Whether {@code from}'s request for this block still counts (the block is still in flight for it). */
    boolean owns(PeerConnection from, BlockRef block);

    /** Blocks {@code from} owned that will not arrive from it. */
    void returned(PeerConnection from, List<BlockRef> blocks);

    /**
     * A block we requested from {@code from} arrived (possibly after we cancelled it: then it is
     * a duplicate the host counts as wasted): {@code block.length()} bytes of {@code buffer} from
     * the absolute index {@code offset}, the connection's read buffer, valid only during the call.
     * An IOException here is a local (disk) failure.
     */
    void received(PeerConnection from, BlockRef block, ByteBuffer buffer, int offset) throws IOException;

    /** The data of a block we have, for upload; null if we do not have it after all. */
    byte[] read(BlockRef block) throws IOException;

    void peerHas(int piece);

    void peerHas(BitSet pieces);

    /** The connection ended; {@code peerHad} is what the peer had, to undo its availability. */
    void closed(PeerConnection connection, BitSet peerHad, Throwable why);

    /** The peer said interested or not interested: the choker may fill or free a slot. */
    void interestChanged(PeerConnection connection);

    /** The extension protocol messages this torrent speaks (BEP 10), advertised to every peer. */
    default List<PeerExtension> extensions() {
        return List.of();
    }

    /**
     * Takes room for a block about to be read and queued to a peer from the memory that every
     * torrent's send windows share, waiting up to {@code timeout} for some to come back: the
     * back-pressure of many uploads. False if none came (the request is then refused).
     */
    default boolean reserveSendBuffer(int bytes, Duration timeout) throws InterruptedException {
        return true;
    }

    /** Gives back room taken with {@link #reserveSendBuffer}: the block was written, or dropped. */
    default void releaseSendBuffer(long bytes) {
    }

    /**
     * The length of the info dictionary we serve over {@code ut_metadata}, advertised as
     * {@code metadata_size} in the extension handshake (BEP 9); 0: none (no metadata yet).
     */
    default long metadataSize() {
        return 0;
    }

    /** Limits on payload we send; unlimited unless the engine sets one. */
    default RateLimiter uploadLimit() {
        return RateLimiter.of();
    }

    /** Limits on payload we receive; unlimited unless the engine sets one. */
    default RateLimiter downloadLimit() {
        return RateLimiter.of();
    }
}
