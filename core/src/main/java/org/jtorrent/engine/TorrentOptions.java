package org.jtorrent.engine;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.choke.RateLimiter;

/**
 * How one torrent is added to a {@link Session} (libtorrent's {@code add_torrent_params}).
 *
 * @param folder   the download folder (a multi-file torrent goes below it, in its name)
 * @param peers    peers to dial besides those the trackers give; kept however often they fail
 * @param maxPeers this torrent's connections (dialled and accepted) plus its dials in progress, at most
 * @param paused   added paused: checked, then left alone until resumed
 * @param upload   this torrent's own limit on payload sent, on top of the session's
 * @param download this torrent's own limit on payload received, on top of the session's
 */
public record TorrentOptions(Path folder, List<InetSocketAddress> peers, int maxPeers, boolean paused,
                             RateLimiter upload, RateLimiter download) {
    public TorrentOptions {
        peers = List.copyOf(peers);
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be at least 1");
    }

    public static TorrentOptions in(Path folder) {
        return new TorrentOptions(folder, List.of(), DownloadOptions.DEFAULT_MAX_PEERS, false, RateLimiter.of(), RateLimiter.of());
    }

    public TorrentOptions withPeers(List<InetSocketAddress> dial) {
        return new TorrentOptions(folder, dial, maxPeers, paused, upload, download);
    }

    public TorrentOptions withMaxPeers(int max) {
        return new TorrentOptions(folder, peers, max, paused, upload, download);
    }

    public TorrentOptions withPaused(boolean startPaused) {
        return new TorrentOptions(folder, peers, maxPeers, startPaused, upload, download);
    }

    public TorrentOptions withRateLimits(RateLimiter up, RateLimiter down) {
        return new TorrentOptions(folder, peers, maxPeers, paused, up, down);
    }
}
