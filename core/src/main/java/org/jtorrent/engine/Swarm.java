package org.jtorrent.engine;

import java.net.SocketAddress;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerHost;

/**
 * What a {@link PeerSet} dials for and the acceptor routes to: a {@link Torrent}, or a magnet
 * torrent still fetching its metadata ({@link MagnetHost}). The host its connections talk to, and
 * where they go once handshaken.
 */
interface Swarm extends PeerHost {
    int connectionCount();

    boolean isComplete();

    boolean isBanned(SocketAddress peer);

    /** Starts a handshaken connection, or closes it (caps, bans, a second connection to a peer). */
    boolean add(PeerConnection connection);
}
