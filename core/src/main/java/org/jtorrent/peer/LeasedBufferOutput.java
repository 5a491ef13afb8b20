package org.jtorrent.peer;

import java.io.IOException;
import java.io.OutputStream;
import org.jtorrent.wire.ArrayPool;

/**
 * A buffered stream whose buffer is borrowed from a process-wide pool on the first write and
 * given back at each {@link #flush}: a connection holds a write buffer only while it writes. The
 * writer flushes whenever its queue runs dry, so an idle connection holds none; a
 * {@code BufferedOutputStream} per connection kept 64 KiB of heap for each of thousands of idle
 * peers. Used by one thread at a time (the connection's writer).
 */
final class LeasedBufferOutput extends OutputStream {
    static final int SIZE = 64 * 1024;
    /** Idle buffers kept for reuse; beyond these a returned buffer is left to the collector. */
    private static final int POOL_CAP = 64;
    private static final ArrayPool POOL = new ArrayPool(SIZE, POOL_CAP);

    private final OutputStream out;
    private byte[] buffer; // null while nothing is buffered
    private int count;

    LeasedBufferOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len >= SIZE) { // as BufferedOutputStream: a large write goes straight through
            drain();
            out.write(b, off, len);
            return;
        }
        if (buffer == null) buffer = POOL.lease();
        if (len > SIZE - count) drain();
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    /** Writes what is buffered and gives the buffer back. */
    @Override
    public void flush() throws IOException {
        drain();
        byte[] b = buffer;
        if (b != null) {
            buffer = null;
            POOL.giveBack(b);
        }
        out.flush();
    }

    /** Whether a buffer is held (for tests). */
    boolean holdsBuffer() {
        return buffer != null;
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }
}
