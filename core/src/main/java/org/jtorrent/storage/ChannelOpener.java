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
     * A second, write-only channel to the same file that bypasses the page cache (O_DIRECT), or
     * null when this opener offers none: then every write goes through {@link #open}.
     */
    default FileChannel openDirect(Path file) throws IOException {
        return null;
    }

    /**
     * Read-write, created if missing, sparse where the file system supports it (unwritten ranges
     * cost no blocks), and never through a symbolic link: a link planted in the download folder
     * cannot redirect our writes elsewhere. Direct channels where the file system has them.
     */
    ChannelOpener DEFAULT = new ChannelOpener() {
        @Override
        public FileChannel open(Path file) throws IOException {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        @SuppressWarnings("sunapi") // ExtendedOpenOption.DIRECT: the JDK's only way to O_DIRECT, in jdk.unsupported since 10
        public FileChannel openDirect(Path file) throws IOException {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.SPARSE,
                    LinkOption.NOFOLLOW_LINKS, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
    };
}
