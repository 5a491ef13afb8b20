package org.jtorrent.mse;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encrypts everything written to it with RC4 on its way to {@code out}. The caller's bytes are
 * never touched: they may be shared (a piece's array held by a read cache and sent to several
 * peers), so they are encrypted into a scratch array, borrowed from a small process-wide pool for
 * the length of one write: an idle encrypted connection holds none. One writer thread at a time.
 */
public final class EncryptingOutput extends FilterOutputStream {
    static final int CHUNK = 64 * 1024;
    private static final int POOL_CAP = 32;
    private static final ConcurrentLinkedQueue<byte[]> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private final Rc4 rc4;

    public EncryptingOutput(OutputStream out, Rc4 rc4) {
        super(out);
        this.rc4 = rc4;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        byte[] scratch = lease();
        try {
            while (len > 0) {
                int n = Math.min(len, scratch.length);
                rc4.apply(b, off, scratch, 0, n);
                out.write(scratch, 0, n);
                off += n;
                len -= n;
            }
        } finally {
            giveBack(scratch);
        }
    }

    private static byte[] lease() {
        byte[] b = POOL.poll();
        if (b == null) return new byte[CHUNK];
        POOLED.decrementAndGet();
        return b;
    }

    private static void giveBack(byte[] b) {
        if (POOLED.incrementAndGet() <= POOL_CAP) {
            POOL.offer(b);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
