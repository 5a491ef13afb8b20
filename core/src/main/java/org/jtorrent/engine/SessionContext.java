package org.jtorrent.engine;

import org.jtorrent.id.PeerId;
import org.jtorrent.storage.DiskResources;

/**
 * The session's shared parts that every torrent's run uses: handed down instead of the session
 * itself, so a run cannot reach what it has no business with.
 *
 * @param listenPort the session's one port, advertised to trackers and peers
 */
record SessionContext(SessionConfig config, PeerId peerId, int listenPort, DiskResources disk, ConnectionSlots slots,
                      ChokeDriver choker) {
}
