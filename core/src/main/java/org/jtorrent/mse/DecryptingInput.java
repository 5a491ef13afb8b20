package org.jtorrent.mse;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream whose next {@code count} bytes are RC4-decrypted and the rest passed through as they come:
 * all of it for an RC4 connection, only the initial payload (IA) when plaintext was selected.
 * Reads never ask for more than the caller does, so nothing past the handshake is read early.
 */
public final class DecryptingInput extends FilterInputStream {
    private final Rc4 rc4;
    private long remaining;

    public DecryptingInput(InputStream in, Rc4 rc4, long count) {
        super(in);
        this.rc4 = rc4;
        this.remaining = count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && remaining > 0) {
            int decrypt = (int) Math.min(n, remaining);
            rc4.apply(b, off, b, off, decrypt);
            remaining -= decrypt;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 512)];
        int got = read(scratch, 0, scratch.length);
        return Math.max(0, got);
    }

    /** Bytes still to decrypt (Long.MAX_VALUE: all). */
    public long remaining() {
        return remaining;
    }

    Rc4 cipher() {
        return rc4;
    }
}
