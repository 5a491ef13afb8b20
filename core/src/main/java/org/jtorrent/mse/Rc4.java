package org.jtorrent.mse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The RC4 stream cipher, keyed as MSE keys it: the first 1024 bytes of keystream are thrown away
 * (RC4-drop1024) so that its known weak start never touches the stream. Encryption and decryption
 * are the same operation. Not thread-safe: one direction of one connection, one thread at a time.
 *
 * <p>Written by hand rather than through {@code Cipher.getInstance("ARCFOUR")}: it works in place on
 * direct buffers (the frame reader's) without the JCE's copies through heap arrays, and the
 * {@code bench/} JMH benchmark {@code Rc4Bench} measured it against the JDK's (see
 * docs/performance.md, "Encryption").
 */
public final class Rc4 {
    /** MSE drops this much keystream before the first byte it encrypts. */
    public static final int DISCARD = 1024;

    /** The permutation, one value 0..255 per int: int loads need no sign fix-up, measurably faster than bytes. */
    private final int[] s = new int[256];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private int i;
    private int j;

    /** A cipher keyed with {@code key} (1..256 bytes), with nothing discarded yet. */
    public Rc4(byte[] key) {
        if (key.length == 0 || key.length > 256) throw new IllegalArgumentException("RC4 key of " + key.length + " bytes");
        for (int k = 0; k < 256; k++) s[k] = k;
        int jj = 0;
        for (int k = 0; k < 256; k++) {
            jj = (jj + s[k] + (key[k % key.length] & 0xff)) & 0xff;
            int t = s[k];
            s[k] = s[jj];
            s[jj] = t;
        }
    }

    /** A cipher keyed with {@code key} whose first {@link #DISCARD} bytes of keystream are already spent, as MSE uses it. */
    public static Rc4 mse(byte[] key) {
        Rc4 rc4 = new Rc4(key);
        rc4.skip(DISCARD);
        return rc4;
    }

    /** Throws away {@code count} bytes of keystream. */
    public void skip(int count) {
        for (int n = 0; n < count; n++) next1();
    }

    /** XORs {@code len} bytes of {@code in} from {@code inOff} with the keystream into {@code out} from {@code outOff} (may be the same array). */
    public void apply(byte[] in, int inOff, byte[] out, int outOff, int len) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len, out.length);
        int n = 0;
        // Eight bytes at a time: one load and one store of the data per eight keystream bytes.
        for (; n + 8 <= len; n += 8) {
            LONGS.set(out, outOff + n, (long) LONGS.get(in, inOff + n) ^ next8());
        }
        for (; n < len; n++) out[outOff + n] = (byte) (in[inOff + n] ^ next1());
    }

    /** Encrypts or decrypts {@code bytes} in place. */
    public void apply(byte[] bytes) {
        apply(bytes, 0, bytes, 0, bytes.length);
    }

    /** XORs {@code len} bytes of {@code buffer} from absolute index {@code from} with the keystream, in place. Position and limit are left alone. */
    public void apply(ByteBuffer buffer, int from, int len) {
        Objects.checkFromIndexSize(from, len, buffer.capacity());
        if (buffer.hasArray()) {
            int at = buffer.arrayOffset() + from;
            apply(buffer.array(), at, buffer.array(), at, len);
            return;
        }
        boolean swap = buffer.order() != ByteOrder.BIG_ENDIAN; // next8() puts the first keystream byte highest
        int n = from;
        int end = from + len;
        for (; n + 8 <= end; n += 8) {
            long k = next8();
            buffer.putLong(n, buffer.getLong(n) ^ (swap ? Long.reverseBytes(k) : k));
        }
        for (; n < end; n++) buffer.put(n, (byte) (buffer.get(n) ^ next1()));
    }

    /** The next eight bytes of keystream, the first in the highest byte (next1 eight times over, with i and j kept in registers). */
    private long next8() {
        int[] s = this.s;
        int i = this.i;
        int j = this.j;
        long k = 0;
        for (int b = 0; b < 8; b++) {
            i = (i + 1) & 0xff;
            int si = s[i];
            j = (j + si) & 0xff;
            int sj = s[j];
            s[i] = sj;
            s[j] = si;
            k = (k << 8) | s[(si + sj) & 0xff];
        }
        this.i = i;
        this.j = j;
        return k;
    }

    /** The next byte of keystream. */
    private int next1() {
        i = (i + 1) & 0xff;
        int si = s[i];
        j = (j + si) & 0xff;
        int sj = s[j];
        s[i] = sj;
        s[j] = si;
        return s[(si + sj) & 0xff];
    }
}
