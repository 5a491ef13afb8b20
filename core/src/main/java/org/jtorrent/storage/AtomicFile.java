package org.jtorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file so that a reader, even after a {@code kill -9} or a power cut at any
 * moment, finds either the old content or the new one, never a mix or a torn tail: the bytes go
 * to {@code <name>.tmp} beside the target, are fsynced, renamed over the target atomically, and
 * the directory is fsynced so the rename itself is durable. One writer per target at a time (the
 * temporary name is fixed); a leftover temporary file from an interrupted write is replaced.
 */
public final class AtomicFile {
    /** The suffix of the temporary file a write goes through; such a file alone is never a record. */
    public static final String TEMPORARY_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    public static Path temporaryFor(Path target) {
        return target.resolveSibling(target.getFileName() + TEMPORARY_SUFFIX);
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path temp = temporaryFor(target);
        // Never through a link: whatever is at the temporary name (a leftover, or a symlink planted
        // to redirect our write) is removed, not followed, and CREATE_NEW (O_EXCL) refuses to
        // follow one planted between the delete and the open.
        Files.deleteIfExists(temp);
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) c.write(b);
            c.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Makes the directory's entries durable (a rename or a delete in it). Linux allows fsync on a
     * directory opened for reading; where a platform refuses, the rename is still atomic, only its
     * durability across a power cut is left to the file system.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (see above); nothing more to do
        }
    }
}
