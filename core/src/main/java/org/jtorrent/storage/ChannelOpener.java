package org.jtorrent.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens a torrent file for positional I/O. Tests substitute one that fails like a full disk. */
@FunctionalInterface
public interface ChannelOpener {

    FileChannel open(Path file) throws IOException;

    /**
     * Read-write, created if missing, sparse where the file system supports it (unwritten ranges
     * cost no blocks), and never through a symbolic link: a link planted in the download folder
     * cannot redirect our writes elsewhere.
     */
    ChannelOpener DEFAULT = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.SPARSE, LinkOption.NOFOLLOW_LINKS);
}
