package org.jtorrent.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.UdpWire;

/**
 * A closed-loop BEP 15 load generator: {@code clients} virtual threads, each with its own socket on
 * its own loopback address (127.2.x.y),
 * send an announce, wait for its answer (1 s timeout, then send another), and repeat. The same
 * generator runs against every tracker, so answered announces per second compare directly.
 *
 * <pre>UdpAnnounceLoad HOST PORT SECONDS CLIENTS HASHES    -> "answered_per_s N timeouts T"
 * UdpAnnounceLoad --print-hashes HASHES                    -> the info-hashes, hex, one a line</pre>
 */
public final class UdpAnnounceLoad {
    private UdpAnnounceLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--print-hashes")) {
            hashes(Integer.parseInt(args[1])).forEach(h -> System.out.println(h.hex()));
            return;
        }
        if (args.length != 5) {
            System.err.println("usage: UdpAnnounceLoad HOST PORT SECONDS CLIENTS HASHES | --print-hashes HASHES");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long seconds = Long.parseLong(args[2]);
        int clients = Integer.parseInt(args[3]);
        List<InfoHash> hashes = hashes(Integer.parseInt(args[4]));
        LongAdder answered = new LongAdder(), timeouts = new LongAdder();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        if (clients < 1 || clients > 250 * 250) throw new IllegalArgumentException("1..62500 clients");
        for (int c = 0; c < clients; c++) {
            // Each client on its own loopback address, as clients on a network are: a tracker with
            // per-address limits keeps a few entries per address, and replies should stay full.
            InetSocketAddress self = new InetSocketAddress(InetAddress.getByAddress(
                    new byte[] {127, 2, (byte) (1 + c / 250), (byte) (1 + c % 250)}), 0);
            threads.add(Thread.ofVirtual().start(() -> run(target, self, hashes, end, answered, timeouts)));
        }
        for (Thread t : threads) t.join();
        System.out.printf("answered_per_s %.0f timeouts %d%n", answered.sum() / (double) seconds, timeouts.sum());
    }

    /** Deterministic hashes (i as a big-endian number), so a whitelist can be written beforehand. */
    static List<InfoHash> hashes(int n) {
        List<InfoHash> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(InfoHash.of(ByteBuffer.allocate(20).putInt(16, i + 1).array()));
        return out;
    }

    private static void run(InetSocketAddress target, InetSocketAddress self, List<InfoHash> hashes, long end,
                            LongAdder answered, LongAdder timeouts) {
        try (DatagramSocket socket = new DatagramSocket(self)) {
            socket.connect(target);
            socket.setSoTimeout(1000);
            byte[] in = new byte[4096];
            PeerId peer = PeerId.random();
            long connectionId = 0, connectedAt = 0;
            while (System.nanoTime() < end) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                if (System.nanoTime() - connectedAt > 50_000_000_000L) { // renew the id well within its minute
                    UdpWire.Reply reply = exchange(socket, new UdpWire.Connect(r.nextInt()), in);
                    if (!(reply instanceof UdpWire.Connected c)) {
                        timeouts.increment();
                        continue;
                    }
                    connectionId = c.connectionId();
                    connectedAt = System.nanoTime();
                }
                var announce = new UdpWire.Announce(connectionId, r.nextInt(), hashes.get(r.nextInt(hashes.size())), peer,
                        0, r.nextBoolean() ? 0 : 1000, 0, AnnounceEvent.NONE, 0, 50, 1024 + r.nextInt(60_000));
                if (exchange(socket, announce, in) instanceof UdpWire.Announced) answered.increment();
                else timeouts.increment();
            }
        } catch (IOException e) {
            System.err.println("client failed: " + e);
        }
    }

    /** One request, one matching reply, or null on timeout. */
    static UdpWire.Reply exchange(DatagramSocket socket, UdpWire.Request request, byte[] in) throws IOException {
        byte[] out = request.encode();
        socket.send(new DatagramPacket(out, out.length));
        while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(in, 0, p.getLength());
            if (p.getLength() < 8 || b.getInt(4) != request.transactionId()) continue;
            try {
                return UdpWire.decodeReply(b, false);
            } catch (UdpWire.MalformedPacket e) {
                return null;
            }
        }
    }
}
