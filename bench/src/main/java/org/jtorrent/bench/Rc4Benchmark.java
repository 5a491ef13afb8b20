package org.jtorrent.bench;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.jtorrent.mse.Rc4;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * RC4 over 64 KiB, the way MSE connections use it: encrypting an outgoing array into a scratch
 * array (the writer), and decrypting a direct buffer in place (the frame reader). Ours
 * ({@link Rc4}) against the JDK's {@code Cipher.getInstance("ARCFOUR")} doing the same. Average
 * time per 64 KiB; {@code bench/mse-bench.sh} turns it into CPU seconds per GiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Rc4Benchmark {
    static final int CHUNK = 64 * 1024;

    private final byte[] plain = new byte[CHUNK];
    private final byte[] out = new byte[CHUNK];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
    private Rc4 ours;
    private Cipher jdk;

    @Setup
    public void keys() throws Exception {
        Random random = new Random(1);
        random.nextBytes(plain);
        byte[] key = new byte[20];
        random.nextBytes(key);
        ours = Rc4.mse(key);
        jdk = Cipher.getInstance("ARCFOUR");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
    }

    @Benchmark
    public byte[] oursArray() {
        ours.apply(plain, 0, out, 0, CHUNK);
        return out;
    }

    @Benchmark
    public ByteBuffer oursDirectInPlace() {
        ours.apply(direct, 0, CHUNK);
        return direct;
    }

    @Benchmark
    public byte[] jdkArray() throws ShortBufferException {
        jdk.update(plain, 0, CHUNK, out, 0);
        return out;
    }

    @Benchmark
    public ByteBuffer jdkDirectInPlace() throws ShortBufferException {
        ByteBuffer in = direct.duplicate().clear();
        ByteBuffer to = direct.duplicate().clear();
        jdk.update(in, to);
        return direct;
    }
}
