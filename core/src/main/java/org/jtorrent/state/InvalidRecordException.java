package org.jtorrent.state;

/** A record in the state directory that cannot be used; the message is one line, fit for a warning. */
public final class InvalidRecordException extends Exception {
    public InvalidRecordException(String message) {
        super(message);
    }
}
