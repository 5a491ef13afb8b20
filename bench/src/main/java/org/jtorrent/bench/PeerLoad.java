package org.jtorrent.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.wire.Handshake;

/**
 * A load of many idle-ish peers against one BitTorrent listener (a seeder): N TCP connections,
 * spread round-robin over the info-hashes of the .torrent files in a folder, each of which
 * handshakes, reads the bitfield, says interested, waits for an unchoke and then requests one
 * 16 KiB block (a random one the seeder has) every INTERVAL, one request in flight at a time. It
 * measures the request->piece latency and counts connections established, refused (closed or
 * failed before the handshake completed) and dropped (closed after it), and, given the seeder's
 * pid, samples the seeder's CPU, RSS and thread count from /proc.
 *
 * <p>Phases: connect (at most {@code --connect-rate} new connections per second, at most
 * {@code --half-open} pending at once, until every connection has completed or failed its
 * handshake, or {@code --timeout-ms} after the last dial); settle (until every established
 * connection has been unchoked or {@code --timeout-ms} passed); idle ({@code --idle-seconds}:
 * connections open and interested, no requests: the seeder's idle CPU); load ({@code SECONDS} of
 * requests). Then one summary line of {@code key=value} pairs, and everything is closed.
 *
 * <p>One thread and one selector for all connections, non-blocking sockets: the generator costs
 * little CPU and no thread per connection, so it disturbs the process it measures as little as it
 * can. Its own bounds: every connection holds one read buffer (a block frame or the bitfield,
 * whichever is larger) and at most one request in flight; a frame longer than that buffer, a
 * handshake for another torrent or any malformed message closes the connection (counted as
 * {@code errors}); every wait has a deadline ({@code --timeout-ms}: connect, handshake, unchoke,
 * each request); the run ends at its planned time whatever the seeder does.
 *
 * <pre>PeerLoad HOST PORT TORRENT_DIR CONNECTIONS SECONDS [--interval-ms=2000] [--idle-seconds=10]
 *          [--connect-rate=1000] [--half-open=200] [--timeout-ms=10000] [--watch-pid=PID]</pre>
 */
public final class PeerLoad {
    private static final int BLOCK = PieceLayout.BLOCK_SIZE;
    private static final byte[] KEEP_ALIVE = new byte[4];

    private record Target(InfoHash infoHash, PieceLayout layout) {
    }

    /** The command line's settings. */
    record Settings(String host, int port, List<Target> targets, int connections, int seconds, long intervalMillis,
                    int idleSeconds, int connectRate, int halfOpen, long timeoutMillis, long watchPid) {
    }

    private enum Phase { NEW, CONNECTING, HANDSHAKE, OPEN, CLOSED }

    /** One connection's state, touched only by the selector thread. */
    private final class Peer {
        final int index;
        final Target target;
        SocketChannel channel;
        SelectionKey key;
        Phase phase = Phase.NEW;
        long deadline; // of the current wait: connect, handshake, unchoke, or the request in flight
        final ByteBuffer in;
        ByteBuffer out = ByteBuffer.allocate(0); // what is still to be written
        BitSet has;
        boolean choked = true;
        boolean everUnchoked;
        long nextRequestAt;
        int wantPiece = -1, wantBegin; // the request in flight
        long requestedAt;
        long lastSent;

        Peer(int index, Target target) {
            this.index = index;
            this.target = target;
            int bitfield = (target.layout.pieceCount() + 7) / 8;
            this.in = ByteBuffer.allocate(Math.max(Handshake.LENGTH, 4 + Math.max(9 + BLOCK, 1 + bitfield)));
        }
    }

    private final Settings settings;
    private final Random random = new Random(42);
    private final Selector selector;
    private final List<Peer> peers = new ArrayList<>();
    private long[] latencies = new long[1024];
    private int latencyCount;
    private long established, refused, dropped, errors, unchoked, requests, pieces, rejected, timedOut;
    private boolean requesting;
    private final byte[] peerId = new byte[20];

    private PeerLoad(Settings settings) throws IOException {
        this.settings = settings;
        this.selector = Selector.open();
        byte[] prefix = "-JL0001-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        random.nextBytes(peerId);
        System.arraycopy(prefix, 0, peerId, 0, prefix.length);
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("PeerLoad: " + e.getMessage());
            System.err.println("usage: PeerLoad HOST PORT TORRENT_DIR CONNECTIONS SECONDS [--interval-ms=2000] [--idle-seconds=10]"
                    + " [--connect-rate=1000] [--half-open=200] [--timeout-ms=10000] [--watch-pid=PID]");
            System.exit(2);
            return;
        }
        System.out.println(run(settings));
    }

    /** Runs the whole load; its summary line. Every connection is closed on return. */
    static String run(Settings settings) throws IOException {
        PeerLoad load = new PeerLoad(settings);
        try {
            return load.run();
        } finally {
            load.closeAll();
        }
    }

    static Settings parse(String[] args) throws IOException {
        if (args.length < 5) throw new IllegalArgumentException("too few arguments");
        long interval = 2000, timeout = 10_000, pid = 0;
        int idle = 10, rate = 1000, halfOpen = 200;
        for (int i = 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("not --key=value: " + args[i]);
            long v = Long.parseLong(kv[1]);
            switch (kv[0]) {
                case "--interval-ms" -> interval = v;
                case "--idle-seconds" -> idle = (int) v;
                case "--connect-rate" -> rate = (int) v;
                case "--half-open" -> halfOpen = (int) v;
                case "--timeout-ms" -> timeout = v;
                case "--watch-pid" -> pid = v;
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        int connections = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        if (connections < 1 || connections > 60_000 || seconds < 0 || seconds > 3600 || interval < 10 || idle < 0
                || idle > 3600 || rate < 1 || halfOpen < 1 || timeout < 100 || timeout > 600_000) {
            throw new IllegalArgumentException("out of range: 1..60000 connections, 0..3600 s, interval >= 10 ms, timeout 100..600000 ms");
        }
        return new Settings(args[0], Integer.parseInt(args[1]), targets(Path.of(args[2])), connections, seconds, interval, idle,
                rate, halfOpen, timeout, pid);
    }

    /** Every .torrent in the folder (sorted by name, so runs spread connections alike). */
    private static List<Target> targets(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, "*.torrent")) {
            dir.forEach(files::add);
        }
        files.sort(null);
        List<Target> targets = new ArrayList<>();
        for (Path f : files) {
            try {
                Metainfo m = Metainfo.load(f);
                targets.add(new Target(m.infoHash(), m.info().layout()));
            } catch (Exception e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        if (targets.isEmpty()) throw new IOException("no .torrent files in " + folder);
        return targets;
    }

    private String run() throws IOException {
        InetSocketAddress address = new InetSocketAddress(settings.host, settings.port);
        for (int i = 0; i < settings.connections; i++) peers.add(new Peer(i, settings.targets.get(i % settings.targets.size())));

        // Connect: paced, bounded half-open.
        long start = System.nanoTime();
        int next = 0;
        long lastDial = start;
        long lastReport = start;
        while (true) {
            long now = System.nanoTime();
            int pending = countIn(Phase.CONNECTING) + countIn(Phase.HANDSHAKE);
            if (now - lastReport > 1_000_000_000L) {
                lastReport = now;
                System.err.printf("PeerLoad: dialled %d, pending %d, open %d, closed %d%n", next, pending, countIn(Phase.OPEN),
                        countIn(Phase.CLOSED));
            }
            long allowed = Math.min(settings.connections, (now - start) * settings.connectRate / 1_000_000_000L + 1);
            while (next < allowed && pending < settings.halfOpen) {
                dial(peers.get(next++), address);
                pending++;
                lastDial = System.nanoTime();
            }
            if (next == settings.connections && pending == 0) break;
            if (next == settings.connections && now - lastDial > 2 * millis(settings.timeoutMillis)) break; // all deadlines long passed
            poll(now + 10_000_000L);
        }
        double connectSeconds = (System.nanoTime() - start) / 1e9;

        // Settle: every open connection unchoked (or timed out waiting).
        long settleEnd = System.nanoTime() + millis(settings.timeoutMillis);
        while (System.nanoTime() < settleEnd && peers.stream().anyMatch(p -> p.phase == Phase.OPEN && !p.everUnchoked)) {
            poll(Math.min(settleEnd, System.nanoTime() + 100_000_000L));
        }
        long open = countIn(Phase.OPEN);

        System.err.printf("PeerLoad: %d open, idle for %d s%n", open, settings.idleSeconds);
        Sample idleStart = Sample.of(settings.watchPid);
        long idleEnd = System.nanoTime() + settings.idleSeconds * 1_000_000_000L;
        while (System.nanoTime() < idleEnd) poll(Math.min(idleEnd, System.nanoTime() + 100_000_000L));
        Sample idleStop = Sample.of(settings.watchPid);

        // Load: each connection starts at a random point of its interval, so requests spread evenly.
        System.err.printf("PeerLoad: requesting for %d s%n", settings.seconds);
        requesting = true;
        long loadStart = System.nanoTime();
        for (Peer p : peers) p.nextRequestAt = loadStart + (long) (random.nextDouble() * millis(settings.intervalMillis));
        long loadEnd = loadStart + settings.seconds * 1_000_000_000L;
        while (System.nanoTime() < loadEnd) poll(Math.min(loadEnd, System.nanoTime() + 5_000_000L));
        Sample loadStop = Sample.of(settings.watchPid);
        long stillOpen = countIn(Phase.OPEN);

        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "connections=%d torrents=%d established=%d refused=%d open_after_connect=%d unchoked=%d"
                        + " connect_s=%.2f requests=%d pieces=%d rejected=%d timed_out=%d dropped=%d errors=%d open_at_end=%d",
                settings.connections, settings.targets.size(), established, refused, open, unchoked, connectSeconds, requests,
                pieces, rejected, timedOut, dropped, errors, stillOpen));
        line.append(String.format(Locale.ROOT, " p50_ms=%.2f p99_ms=%.2f max_ms=%.2f", percentile(sorted, 0.50) / 1e6,
                percentile(sorted, 0.99) / 1e6, sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6));
        if (settings.watchPid > 0 && idleStart != null && idleStop != null && loadStop != null) {
            line.append(String.format(Locale.ROOT, " idle_cpu_pct=%.2f load_cpu_pct=%.2f rss_mb=%d hwm_mb=%d threads=%d",
                    idleStart.cpuPercentTo(idleStop), idleStop.cpuPercentTo(loadStop), loadStop.rssKb / 1024, loadStop.hwmKb / 1024,
                    loadStop.threads));
        }
        return line.toString();
    }

    private static long millis(long ms) {
        return ms * 1_000_000L;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private int countIn(Phase phase) {
        int n = 0;
        for (Peer p : peers) if (p.phase == phase) n++;
        return n;
    }

    private void dial(Peer p, InetSocketAddress address) {
        try {
            p.phase = Phase.CONNECTING;
            p.channel = SocketChannel.open();
            p.channel.configureBlocking(false);
            p.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            p.deadline = System.nanoTime() + millis(settings.timeoutMillis);
            if (p.channel.connect(address)) {
                p.key = p.channel.register(selector, 0, p);
                connected(p);
            } else {
                p.key = p.channel.register(selector, SelectionKey.OP_CONNECT, p);
            }
        } catch (IOException e) {
            fail(p, e);
        }
    }

    private void connected(Peer p) throws IOException {
        p.phase = Phase.HANDSHAKE;
        p.deadline = System.nanoTime() + millis(settings.timeoutMillis);
        byte[] hs = new Handshake(p.target.infoHash(), org.jtorrent.id.PeerId.of(peerIdFor(p)), true, false).encode();
        send(p, ByteBuffer.wrap(hs));
    }

    private byte[] peerIdFor(Peer p) {
        byte[] id = peerId.clone();
        id[16] = (byte) (p.index >>> 24);
        id[17] = (byte) (p.index >>> 16);
        id[18] = (byte) (p.index >>> 8);
        id[19] = (byte) p.index;
        return id;
    }

    /** One round of the selector, then the timers (deadlines, due requests). */
    private void poll(long until) throws IOException {
        long waitMillis = Math.max(1, (until - System.nanoTime()) / 1_000_000);
        selector.select(key -> {
            Peer p = (Peer) key.attachment();
            try {
                if (!key.isValid()) return;
                if (key.isConnectable()) {
                    if (p.channel.finishConnect()) connected(p);
                    return;
                }
                if (key.isWritable()) flush(p);
                if (key.isValid() && key.isReadable()) read(p);
            } catch (IOException | RuntimeException e) {
                fail(p, e);
            }
        }, waitMillis);
        long now = System.nanoTime();
        for (Peer p : peers) {
            if (p.phase == Phase.CLOSED || p.channel == null) continue;
            try {
                tick(p, now);
            } catch (IOException e) {
                fail(p, e);
            }
        }
    }

    private void tick(Peer p, long now) throws IOException {
        // Waiting for the connect, the handshake or a block has a deadline; waiting for an unchoke does not (a
        // seeder with fewer upload slots than connections leaves most choked: they are counted, not dropped).
        if (now > p.deadline && (p.phase != Phase.OPEN || p.wantPiece >= 0)) {
            if (p.wantPiece >= 0) timedOut++;
            throw new IOException("timed out");
        }
        if (p.phase != Phase.OPEN) return;
        if (requesting && !p.choked && p.wantPiece < 0 && now >= p.nextRequestAt) request(p, now);
        if (now - p.lastSent > 60_000_000_000L && !p.out.hasRemaining()) { // a keep-alive a minute, as BEP 3 asks
            send(p, ByteBuffer.wrap(KEEP_ALIVE));
        }
    }

    private void request(Peer p, long now) throws IOException {
        BitSet has = p.has;
        if (has == null || has.isEmpty()) return;
        int piece = has.nextSetBit(random.nextInt(p.target.layout().pieceCount()));
        if (piece < 0) piece = has.nextSetBit(0);
        int blocks = p.target.layout().blockCount(piece);
        int block = random.nextInt(blocks);
        int length = p.target.layout().blockSize(piece, block);
        ByteBuffer m = ByteBuffer.allocate(17).putInt(13).put((byte) 6).putInt(piece).putInt(block * BLOCK).putInt(length).flip();
        p.wantPiece = piece;
        p.wantBegin = block * BLOCK;
        p.requestedAt = now;
        p.deadline = now + millis(settings.timeoutMillis);
        p.nextRequestAt = now + millis(settings.intervalMillis);
        requests++;
        send(p, m);
    }

    private void send(Peer p, ByteBuffer bytes) throws IOException {
        p.lastSent = System.nanoTime();
        if (p.out.hasRemaining()) {
            ByteBuffer joined = ByteBuffer.allocate(p.out.remaining() + bytes.remaining());
            joined.put(p.out).put(bytes).flip();
            p.out = joined;
        } else {
            p.out = bytes;
        }
        flush(p);
    }

    private void flush(Peer p) throws IOException {
        p.channel.write(p.out);
        p.key.interestOps(p.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void read(Peer p) throws IOException {
        int n = p.channel.read(p.in);
        if (n < 0) throw new IOException("closed by the peer");
        p.in.flip();
        try {
            if (p.phase == Phase.HANDSHAKE) {
                if (p.in.remaining() < Handshake.LENGTH) return;
                byte[] hs = new byte[Handshake.LENGTH];
                p.in.get(hs);
                Handshake theirs = Handshake.decode(hs);
                theirs.requireInfoHash(p.target.infoHash());
                p.phase = Phase.OPEN;
                established++;
                send(p, ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 2})); // interested
            }
            while (p.in.remaining() >= 4) {
                int length = p.in.getInt(p.in.position());
                if (length < 0 || length > p.in.capacity() - 4) throw new IOException("frame of " + length + " bytes");
                if (p.in.remaining() < 4 + length) break;
                p.in.position(p.in.position() + 4);
                int end = p.in.position() + length;
                if (length > 0) message(p, p.in.get(), length - 1);
                p.in.position(end);
            }
        } finally {
            p.in.compact();
        }
    }

    /** Handles one message whose payload ({@code length} bytes) starts at the buffer's position. */
    private void message(Peer p, byte id, int length) throws IOException {
        ByteBuffer b = p.in;
        PieceLayout layout = p.target.layout();
        switch (id) {
            case 0 -> p.choked = true;
            case 1 -> {
                p.choked = false;
                if (!p.everUnchoked) unchoked++;
                p.everUnchoked = true;
            }
            case 4 -> { // have
                if (length != 4) throw new IOException("bad have");
                int piece = b.getInt(b.position());
                if (piece < 0 || piece >= layout.pieceCount()) throw new IOException("have out of range");
                hasSet(p).set(piece);
            }
            case 5 -> { // bitfield
                if (length != (layout.pieceCount() + 7) / 8) throw new IOException("bitfield of " + length + " bytes");
                BitSet set = hasSet(p);
                for (int i = 0; i < layout.pieceCount(); i++) {
                    if ((b.get(b.position() + (i >> 3)) & (0x80 >>> (i & 7))) != 0) set.set(i);
                }
            }
            case 14 -> hasSet(p).set(0, layout.pieceCount()); // have all
            case 7 -> { // piece
                if (length < 8) throw new IOException("bad piece");
                int piece = b.getInt(b.position());
                int begin = b.getInt(b.position() + 4);
                if (piece != p.wantPiece || begin != p.wantBegin) throw new IOException("unrequested block");
                answered(p, true);
            }
            case 16 -> { // reject
                if (length != 12) throw new IOException("bad reject");
                if (b.getInt(b.position()) == p.wantPiece && b.getInt(b.position() + 4) == p.wantBegin) answered(p, false);
            }
            default -> { } // keep-alive handled by length 0; extension, allowed fast, suggest, port, have none: not needed
        }
    }

    private static BitSet hasSet(Peer p) {
        if (p.has == null) p.has = new BitSet(p.target.layout().pieceCount());
        return p.has;
    }

    private void answered(Peer p, boolean piece) {
        if (piece) {
            pieces++;
            if (latencyCount == latencies.length) latencies = Arrays.copyOf(latencies, 2 * latencies.length);
            latencies[latencyCount++] = System.nanoTime() - p.requestedAt;
        } else {
            rejected++;
        }
        p.wantPiece = -1;
        p.deadline = Long.MAX_VALUE;
    }

    private void fail(Peer p, Exception why) {
        if (p.phase == Phase.CLOSED) return;
        if (p.phase == Phase.OPEN) {
            if (why.getMessage() != null && why.getMessage().startsWith("closed by the peer")) dropped++;
            else if (!"timed out".equals(why.getMessage())) errors++;
            else dropped++;
        } else {
            refused++;
        }
        p.phase = Phase.CLOSED;
        close(p);
    }

    private static void close(Peer p) {
        try {
            if (p.channel != null) p.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void closeAll() throws IOException {
        for (Peer p : peers) close(p);
        selector.close();
    }

    /** The watched process's CPU ticks, resident memory and threads at one moment (Linux /proc). */
    private record Sample(long nanos, long cpuTicks, long rssKb, long hwmKb, long threads) {
        static Sample of(long pid) {
            if (pid <= 0) return null;
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                long rss = 0, hwm = 0, threads = 0;
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) rss = kb(line);
                    else if (line.startsWith("VmHWM:")) hwm = kb(line);
                    else if (line.startsWith("Threads:")) threads = Long.parseLong(line.substring(8).trim());
                }
                return new Sample(System.nanoTime(), ticks, rss, hwm, threads);
            } catch (IOException | RuntimeException e) {
                System.err.println("PeerLoad: cannot read /proc/" + pid + ": " + e);
                return null;
            }
        }

        private static long kb(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }

        /** CPU used between this sample and a later one, in percent of one core (100 ticks a second). */
        double cpuPercentTo(Sample later) {
            double seconds = (later.nanos - nanos) / 1e9;
            return seconds <= 0 ? 0 : (later.cpuTicks - cpuTicks) / seconds;
        }
    }
}
