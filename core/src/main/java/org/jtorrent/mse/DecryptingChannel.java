package org.jtorrent.mse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The connection's socket channel, decrypted in place: each read lands in the caller's buffer (the
 * frame reader's direct buffer) and the bytes it added are decrypted there, the first
 * {@code count} of them (all, for an RC4 connection). No copy beyond the kernel's.
 */
public final class DecryptingChannel implements ReadableByteChannel {
    private final ReadableByteChannel channel;
    private final Rc4 rc4;
    private long remaining;

    public DecryptingChannel(ReadableByteChannel channel, Rc4 rc4, long count) {
        this.channel = channel;
        this.rc4 = rc4;
        this.remaining = count;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int from = dst.position();
        int n = channel.read(dst);
        if (n > 0 && remaining > 0) {
            int decrypt = (int) Math.min(n, remaining);
            rc4.apply(dst, from, decrypt);
            remaining -= decrypt;
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
