package org.jtorrent.mse;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.jtorrent.wire.ArrayPool;

/**
 * Encrypts everything written to it with RC4 on its way to {@code out}. The caller's bytes are
 * never touched: they may be shared (a piece's array held by a read cache and sent to several
 * peers), so they are encrypted into a scratch array, borrowed from a small process-wide pool for
 * the length of one write: an idle encrypted connection holds none. One writer thread at a time.
 */
public final class EncryptingOutput extends FilterOutputStream {
    static final int CHUNK = 64 * 1024;
    private static final ArrayPool SCRATCH = new ArrayPool(CHUNK, 32);

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
        byte[] scratch = SCRATCH.lease();
        try {
            while (len > 0) {
                int n = Math.min(len, scratch.length);
                rc4.apply(b, off, scratch, 0, n);
                out.write(scratch, 0, n);
                off += n;
                len -= n;
            }
        } finally {
            SCRATCH.giveBack(scratch);
        }
    }
}
