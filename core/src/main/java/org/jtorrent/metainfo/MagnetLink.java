package org.jtorrent.metainfo;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.jtorrent.id.InfoHash;

/**
 * A magnet link (BEP 9, 53), as the engine needs it. Placeholder with the agreed signature until
 * h-magnet's parser is merged (its file replaces this one).
 *
 * @param selectOnly the raw BEP 53 {@code so} value, applied once the metadata is known
 */
public record MagnetLink(InfoHash infoHash, Optional<String> displayName, List<String> trackers,
                         List<InetSocketAddress> peers, List<String> webSeeds, Optional<String> selectOnly) {
    public MagnetLink {
        trackers = List.copyOf(trackers);
        peers = List.copyOf(peers);
        webSeeds = List.copyOf(webSeeds);
    }
}
