package org.jtorrent.storage;

import java.io.IOException;

/**
 * The disk failed in a way that stops the download (full disk, read-only folder, a path that would
 * leave the download folder). The message names the file and the cause, for a one-line error.
 */
public final class StorageException extends IOException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }

    /** Wraps an I/O failure on a file, spelling out ENOSPC, which Java reports only as text. */
    static StorageException of(String action, Object file, IOException e) {
        if (e instanceof StorageException s) return s;
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (why.contains("No space left on device")) return new StorageException("disk full while " + action + " " + file, e);
        return new StorageException(action + " " + file + " failed: " + why, e);
    }
}
