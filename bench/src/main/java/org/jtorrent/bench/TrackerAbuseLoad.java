package org.jtorrent.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.UdpWire;

/**
 * A BEP 15 abuse load: honest clients announce while one address floods. Honest clients each have
 * their own loopback address (127.0.1.N), announce one of HASHES info-hashes (the same as
 * {@link UdpAnnounceLoad}'s, so one whitelist serves both), wait for the answer (1 s timeout) and
 * pause PAUSE_MS; their round-trip latency is recorded. The flooder is one address (127.0.0.66)
 * with 64 UDP sockets that sends announces at RATE per second, each for a fresh random info-hash
 * and a random port, with the one connection id its address gets (ids are per IP).
 *
 * <p>Phases: 3 s of honest load to warm up (not counted), IDLE seconds of honest load alone, then
 * FLOOD seconds of honest load with the flood. The flood is bounded by its rate and duration (at
 * most RATE x FLOOD packets). Prints one line per counted phase:
 * <pre>phase=idle ok=N failed=N p50_us=N p99_us=N mean_us=N [flood_sent=N flood_answered=N flood_refused=N]</pre>
 *
 * <pre>TrackerAbuseLoad HOST PORT IDLE_SECONDS FLOOD_SECONDS HONEST_CLIENTS HASHES RATE [PAUSE_MS=5]</pre>
 */
public final class TrackerAbuseLoad {
    private static final int FLOOD_SOCKETS = 64;
    private static final InetAddress FLOODER = loopback(127, 0, 0, 66);

    private TrackerAbuseLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 7 || args.length > 8) {
            System.err.println("usage: TrackerAbuseLoad HOST PORT IDLE_SECONDS FLOOD_SECONDS HONEST_CLIENTS HASHES RATE [PAUSE_MS]");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int idleSeconds = Integer.parseInt(args[2]);
        int floodSeconds = Integer.parseInt(args[3]);
        int honest = Integer.parseInt(args[4]);
        List<InfoHash> hashes = UdpAnnounceLoad.hashes(Integer.parseInt(args[5]));
        int rate = Integer.parseInt(args[6]);
        long pauseMillis = args.length == 8 ? Long.parseLong(args[7]) : 5;
        if (honest < 1 || honest > 250 || rate < 0 || rate > 1_000_000) throw new IllegalArgumentException("1..250 clients, rate 0..1e6");

        honestPhase(target, hashes, honest, pauseMillis, 3, null); // warm-up, not printed
        System.out.println("phase=idle " + honestPhase(target, hashes, honest, pauseMillis, idleSeconds, null));
        Flood flood = new Flood(target, rate, floodSeconds);
        System.out.println("phase=flood " + honestPhase(target, hashes, honest, pauseMillis, floodSeconds, flood) + " " + flood.result());
    }

    /** Runs the honest clients (and the flood, if any) for the given time; their figures as one line. */
    private static String honestPhase(InetSocketAddress target, List<InfoHash> hashes, int clients, long pauseMillis,
                                      int seconds, Flood flood) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        LongAdder failed = new LongAdder();
        long[][] latencies = new long[clients][];
        List<Thread> threads = new ArrayList<>();
        if (flood != null) threads.add(Thread.ofPlatform().name("flood").start(() -> flood.run(end)));
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("honest-" + c).start(() -> latencies[client] =
                    honestClient(target, loopback(127, 0, 1, client + 1), hashes, end, pauseMillis, failed)));
        }
        for (Thread t : threads) t.join();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        if (all.length == 0) return "ok=0 failed=" + failed.sum();
        long mean = (long) Arrays.stream(all).average().orElse(0);
        return String.format("ok=%d failed=%d p50_us=%d p99_us=%d mean_us=%d", all.length, failed.sum(),
                all[all.length / 2] / 1000, all[(int) (all.length * 0.99)] / 1000, mean / 1000);
    }

    /** One honest client: its announce latencies in nanoseconds. */
    private static long[] honestClient(InetSocketAddress target, InetAddress self, List<InfoHash> hashes, long end,
                                       long pauseMillis, LongAdder failed) {
        long[] latencies = new long[1024];
        int n = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(self, 0))) {
            socket.connect(target);
            socket.setSoTimeout(1000);
            byte[] in = new byte[4096];
            PeerId peer = PeerId.random();
            int port = 1024 + ThreadLocalRandom.current().nextInt(60_000);
            long connectionId = 0, connectedAt = 0;
            while (System.nanoTime() < end) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                if (System.nanoTime() - connectedAt > 50_000_000_000L) {
                    if (!(UdpAnnounceLoad.exchange(socket, new UdpWire.Connect(r.nextInt()), in) instanceof UdpWire.Connected c)) {
                        failed.increment();
                        continue;
                    }
                    connectionId = c.connectionId();
                    connectedAt = System.nanoTime();
                }
                var announce = new UdpWire.Announce(connectionId, r.nextInt(), hashes.get(r.nextInt(hashes.size())), peer,
                        0, 1000, 0, AnnounceEvent.NONE, 0, 50, port);
                long start = System.nanoTime();
                if (UdpAnnounceLoad.exchange(socket, announce, in) instanceof UdpWire.Announced) {
                    if (n == latencies.length) latencies = Arrays.copyOf(latencies, n * 2);
                    latencies[n++] = System.nanoTime() - start;
                } else {
                    failed.increment();
                }
                LockSupport.parkNanos(pauseMillis * 1_000_000L);
            }
        } catch (IOException e) {
            System.err.println("honest client failed: " + e);
        }
        return Arrays.copyOf(latencies, n);
    }

    /** The flooder: one address, many sockets, random info-hashes and ports at a fixed rate. */
    private static final class Flood {
        private final InetSocketAddress target;
        private final int rate;
        private final long maxPackets;
        private final LongAdder sent = new LongAdder(), answered = new LongAdder(), refused = new LongAdder();

        Flood(InetSocketAddress target, int rate, int seconds) {
            this.target = target;
            this.rate = rate;
            this.maxPackets = (long) rate * seconds;
        }

        void run(long end) {
            List<DatagramSocket> sockets = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            try {
                for (int i = 0; i < FLOOD_SOCKETS; i++) {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress(FLOODER, 0));
                    s.connect(target);
                    s.setSoTimeout(200);
                    sockets.add(s);
                }
                byte[] in = new byte[512];
                long connectionId = -1;
                while (connectionId == -1 && System.nanoTime() < end) {
                    if (UdpAnnounceLoad.exchange(sockets.getFirst(), new UdpWire.Connect(7), in) instanceof UdpWire.Connected c) connectionId = c.connectionId();
                }
                for (DatagramSocket s : sockets) readers.add(Thread.ofVirtual().start(() -> drain(s, end)));
                long started = System.nanoTime();
                PeerId peer = PeerId.random();
                byte[] hash = new byte[20];
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (long i = 0; i < maxPackets && System.nanoTime() < end; i++) {
                    // paced: packet i leaves at started + i / rate seconds, in bursts of a millisecond
                    long due = started + i * 1_000_000_000L / Math.max(1, rate);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) LockSupport.parkNanos(wait);
                    r.nextBytes(hash);
                    byte[] out = new UdpWire.Announce(connectionId, r.nextInt(), InfoHash.of(hash), peer, 0, 1000, 0,
                            AnnounceEvent.STARTED, 0, 50, 1 + r.nextInt(65_535)).encode();
                    sockets.get((int) (i % FLOOD_SOCKETS)).send(new DatagramPacket(out, out.length));
                    sent.increment();
                }
            } catch (IOException e) {
                System.err.println("flood failed: " + e);
            } finally {
                for (Thread t : readers) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                sockets.forEach(DatagramSocket::close);
            }
        }

        private void drain(DatagramSocket s, long end) {
            byte[] in = new byte[4096];
            while (System.nanoTime() < end + 500_000_000L) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                if (p.getLength() >= 4 && ByteBuffer.wrap(in).getInt(0) == 3) refused.increment();
                else answered.increment();
            }
        }

        String result() {
            return "flood_sent=" + sent.sum() + " flood_answered=" + answered.sum() + " flood_refused=" + refused.sum();
        }
    }

    private static InetAddress loopback(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
