package org.jtorrent.engine;

import org.jtorrent.choke.FairShares;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.storage.DiskResources;

/**
 * The session's shared parts that every torrent's run uses: handed down instead of the session
 * itself, so a run cannot reach what it has no business with.
 *
 * @param listenPort     the session's one port, advertised to trackers and peers
 * @param uploadShares   the session's upload limit, shared fairly among the running torrents
 * @param downloadShares the same for the download limit
 * @param dht            the session's DHT node, null when it has none
 */
record SessionContext(SessionConfig config, PeerId peerId, int listenPort, DiskResources disk, ConnectionSlots slots,
                      ChokeDriver choker, FairShares uploadShares, FairShares downloadShares, DhtNode dht) {

    /** Peers from the DHT for a torrent, or null: no DHT, or a private torrent (BEP 27: trackers only). */
    DhtPeers dhtPeers(InfoHash infoHash, boolean isPrivate, java.util.function.Consumer<java.util.List<java.net.InetSocketAddress>> offer) {
        return dht == null || isPrivate ? null : new DhtPeers(dht, infoHash, listenPort, offer);
    }
}
