package org.jtorrent.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Changes made to files behind the client's back, as a failing disk or another program would. */
public final class DiskDamage {
    private DiskDamage() {
    }

    /** Inverts the byte at {@code at}; the file keeps its size (and gets a new mtime). */
    public static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }
}
