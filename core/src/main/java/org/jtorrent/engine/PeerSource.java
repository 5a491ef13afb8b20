package org.jtorrent.engine;

/** Where a torrent heard of a peer it may dial (qBittorrent shows the same in its peer list). */
public enum PeerSource {
    /** A tracker's answer. */
    TRACKER,
    /** Peer exchange: a connected peer named it (BEP 11). */
    EXCHANGE,
    /** The DHT's get_peers (BEP 5). */
    DHT,
    /** The user (or the program embedding us) gave it. */
    USER;

    int bit() {
        return 1 << ordinal();
    }
}
