package org.jtorrent.engine;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How one torrent is added to a {@link Session} (libtorrent's {@code add_torrent_params}).
 *
 * @param folder   the download folder (a multi-file torrent goes below it, in its name)
 * @param peers    peers to dial besides those the trackers give; kept however often they fail
 * @param maxPeers this torrent's connections (dialled and accepted) plus its dials in progress, at most
 * @param paused   added paused: checked, then left alone until resumed
 * @param uploadLimit   this torrent's own limit on payload sent, bytes/s (0: none), under the session's
 * @param downloadLimit this torrent's own limit on payload received, bytes/s (0: none), under the session's
 * @param selection     which files to fetch and in what order, to begin with
 */
public record TorrentOptions(Path folder, List<InetSocketAddress> peers, int maxPeers, boolean paused,
                             long uploadLimit, long downloadLimit, Selection selection) {
    public TorrentOptions {
        peers = List.copyOf(peers);
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be at least 1");
        if (uploadLimit < 0 || downloadLimit < 0) throw new IllegalArgumentException("rate limits must not be negative");
    }

    public static TorrentOptions in(Path folder) {
        return new TorrentOptions(folder, List.of(), DownloadOptions.DEFAULT_MAX_PEERS, false, 0, 0, Selection.ALL);
    }

    public TorrentOptions withPeers(List<InetSocketAddress> dial) {
        return new TorrentOptions(folder, dial, maxPeers, paused, uploadLimit, downloadLimit, selection);
    }

    public TorrentOptions withMaxPeers(int max) {
        return new TorrentOptions(folder, peers, max, paused, uploadLimit, downloadLimit, selection);
    }

    public TorrentOptions withPaused(boolean startPaused) {
        return new TorrentOptions(folder, peers, maxPeers, startPaused, uploadLimit, downloadLimit, selection);
    }

    /** Bytes per second up and down, 0 for none. */
    public TorrentOptions withRateLimits(long up, long down) {
        return new TorrentOptions(folder, peers, maxPeers, paused, up, down, selection);
    }

    public TorrentOptions withSelection(Selection chosen) {
        return new TorrentOptions(folder, peers, maxPeers, paused, uploadLimit, downloadLimit, chosen);
    }
}
