package org.jtorrent.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jtorrent.id.InfoHash;

/**
 * A snapshot of one torrent for programs that embed the library (and, later, the daemon's APIs).
 * Rates are bytes per second over the session's last sampling period (about a second).
 *
 * @param name           the torrent's name, or the info-hash while there is no metadata
 * @param error          why the torrent is in {@link TorrentState#ERROR}, one line; empty otherwise
 * @param totalBytes     the payload of the selected files (padding and files at priority 0 excluded):
 *                       what "complete" means; 0 without metadata
 * @param haveBytes      payload bytes of the selected files verified on disk
 * @param progress       {@code haveBytes / totalBytes}, 0..1 (1 for an empty torrent)
 * @param downloadedBytes payload received over the torrent's lifetime in this session, verified or not
 * @param uploadedBytes  payload sent over the torrent's lifetime in this session
 * @param peers          open connections
 * @param seeds          open connections to peers that have every piece
 * @param eta            time to completion at the current rate; empty when unknown or complete
 * @param ratio          uploaded / downloaded (0 when nothing was downloaded)
 * @param fileProgress   verified payload bytes per file, in the torrent's file order (padding files too, as 0)
 * @param queuePosition  place in the session's queue, 0 first
 */
public record TorrentStatus(InfoHash infoHash, String name, TorrentState state, String error, long totalBytes,
                            long haveBytes, double progress, long downloadRate, long uploadRate, long downloadedBytes,
                            long uploadedBytes, int peers, int seeds, Optional<Duration> eta, double ratio,
                            List<Long> fileProgress, int queuePosition) {
    public TorrentStatus {
        fileProgress = List.copyOf(fileProgress);
    }

    public boolean isComplete() {
        return totalBytes > 0 ? haveBytes == totalBytes : state == TorrentState.SEEDING;
    }
}
