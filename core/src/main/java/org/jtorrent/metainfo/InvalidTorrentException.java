package org.jtorrent.metainfo;

/**
 * A .torrent that cannot be used. Messages follow libtorrent's wording where libtorrent rejects
 * the same file, so users who know one client recognise the error in the other.
 */
public final class InvalidTorrentException extends Exception {
    public InvalidTorrentException(String message) {
        super(message);
    }

    public InvalidTorrentException(String message, Throwable cause) {
        super(message, cause);
    }
}
