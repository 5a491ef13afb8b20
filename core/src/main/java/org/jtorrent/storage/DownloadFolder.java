package org.jtorrent.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.jtorrent.metainfo.FileEntry;

/**
 * Where a torrent's files live. Path elements are already sanitised by the metainfo parser; this
 * adds the file system half: every directory on the way is created by us or is a real directory,
 * never a symbolic link, so nothing placed in the folder can lead a write outside it.
 */
final class DownloadFolder {
    private final Path root;

    DownloadFolder(Path root) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
    }

    Path root() {
        return root;
    }

    /** The file's path, with its parent directories created and checked. */
    Path prepare(FileEntry file) throws IOException {
        Path target = file.resolveIn(root);
        if (!target.normalize().startsWith(root) || target.equals(root)) {
            throw new StorageException("file " + file.displayPath() + " would lie outside " + root);
        }
        Path dir = root;
        for (String element : file.path().subList(0, file.path().size() - 1)) {
            dir = dir.resolve(element);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new StorageException(dir + " is a symbolic link or not a directory; refusing to write through it");
                }
            }
        }
        if (Files.isSymbolicLink(target)) throw new StorageException(target + " is a symbolic link; refusing to write through it");
        return target;
    }
}
