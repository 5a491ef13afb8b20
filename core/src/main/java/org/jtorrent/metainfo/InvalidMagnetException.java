package org.jtorrent.metainfo;

/** A magnet link that cannot be used; the message is one line that names the problem. */
public final class InvalidMagnetException extends Exception {
    public InvalidMagnetException(String message) {
        super(message);
    }
}
