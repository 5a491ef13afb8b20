package org.jtorrent.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jtorrent.mse.Rc4;

/**
 * RC4's CPU cost per GiB measured as this thread's CPU time, not wall time: on a machine shared
 * with other work (load average above the core count) JMH's wall-clock scores swing by 2x from one
 * benchmark to the next, while the CPU a thread spent on a fixed amount of work does not. Ours
 * (array into array, direct buffer in place) and the JDK's ARCFOUR (array into array), interleaved
 * in rounds; prints the median of each.
 *   java -cp benchmarks.jar org.jtorrent.bench.Rc4CpuTime [ROUNDS]
 */
public final class Rc4CpuTime {
    private static final int CHUNK = 64 * 1024;
    private static final int PER_GIB = (1 << 30) / CHUNK;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        byte[] key = new byte[20];
        new Random(1).nextBytes(key);
        Rc4 ours = Rc4.mse(key);
        Cipher jdk = Cipher.getInstance("ARCFOUR");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
        byte[] in = new byte[CHUNK];
        byte[] out = new byte[CHUNK];
        ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] seconds = new double[3][rounds];
        for (int round = -2; round < rounds; round++) { // two rounds of warm-up
            long c0 = threads.getCurrentThreadCpuTime();
            for (int r = 0; r < PER_GIB; r++) ours.apply(in, 0, out, 0, CHUNK);
            long c1 = threads.getCurrentThreadCpuTime();
            for (int r = 0; r < PER_GIB; r++) ours.apply(direct, 0, CHUNK);
            long c2 = threads.getCurrentThreadCpuTime();
            for (int r = 0; r < PER_GIB; r++) jdk.update(in, 0, CHUNK, out, 0);
            long c3 = threads.getCurrentThreadCpuTime();
            if (round < 0) continue;
            seconds[0][round] = (c1 - c0) / 1e9;
            seconds[1][round] = (c2 - c1) / 1e9;
            seconds[2][round] = (c3 - c2) / 1e9;
        }
        String[] names = {"oursArray", "oursDirectInPlace", "jdkArray"};
        for (int v = 0; v < names.length; v++) {
            java.util.Arrays.sort(seconds[v]);
            double median = seconds[v][rounds / 2];
            System.out.printf("  %-18s %.2f s/GiB CPU  (%.0f MB/s)%n", names[v], median, (1 << 30) / median / 1e6);
        }
    }
}
