package org.jtorrent.engine;

import java.net.InetAddress;
import org.jtorrent.id.InfoHash;

/**
 * What a {@link Session} tells its listeners. Delivered in order on one session thread, never on a
 * connection's: a slow listener delays other listeners, not the transfers.
 */
public sealed interface SessionEvent {
    InfoHash infoHash();

    record Added(InfoHash infoHash) implements SessionEvent {
    }

    record StateChanged(InfoHash infoHash, TorrentState from, TorrentState to) implements SessionEvent {
    }

    /** The info dictionary arrived (from a peer, for a torrent added by info-hash). */
    record MetadataReceived(InfoHash infoHash) implements SessionEvent {
    }

    record PieceVerified(InfoHash infoHash, int piece) implements SessionEvent {
    }

    record PieceFailed(InfoHash infoHash, int piece) implements SessionEvent {
    }

    /** Every wanted piece is verified. */
    record Completed(InfoHash infoHash) implements SessionEvent {
    }

    record PeerBanned(InfoHash infoHash, InetAddress peer) implements SessionEvent {
    }

    /** The torrent stopped on a failure; {@code reason} is one line. */
    record Error(InfoHash infoHash, String reason) implements SessionEvent {
    }

    record Removed(InfoHash infoHash, boolean dataDeleted) implements SessionEvent {
    }
}
