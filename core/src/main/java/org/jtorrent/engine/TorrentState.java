package org.jtorrent.engine;

/**
 * Where a torrent in a {@link Session} is in its life. A handle moves between these on the
 * session's decisions (checking done, a queue slot, completion, a storage error) and the user's
 * ({@code pause}, {@code resume}, {@code recheck}):
 *
 * <pre>
 *   FETCHING_METADATA --info dict--> CHECKING --> QUEUED <--slot--> DOWNLOADING --complete--> SEEDING
 *                                                   ^  any state --pause--> PAUSED --resume--> QUEUED
 *   CHECKING, DOWNLOADING, SEEDING --storage error--> ERROR --resume/recheck--> CHECKING
 * </pre>
 * Only DOWNLOADING and SEEDING torrents have connections, trackers and open files.
 */
public enum TorrentState {
    /** Known by info-hash alone; waiting for its info dictionary (magnet links). */
    FETCHING_METADATA,
    /** Finding out which pieces are on disk: resume data, else hashing every piece. */
    CHECKING,
    /** Ready, waiting for an active slot (see {@link SessionConfig#activeDownloads()}). */
    QUEUED,
    DOWNLOADING,
    SEEDING,
    /** Stopped by the user; stays stopped across restarts until resumed. */
    PAUSED,
    /** Stopped by a failure (a full disk, a file deleted under it): {@link TorrentStatus#error()} says which. */
    ERROR;

    /** Whether the torrent has connections, trackers and open files. */
    public boolean isActive() {
        return this == DOWNLOADING || this == SEEDING;
    }
}
