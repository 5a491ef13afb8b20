package org.jtorrent.tracker.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.UrlEncoding;

/**
 * HTTP announce and scrape (BEP 3, 7, 23, 48): one GET per connection, answered and closed, one
 * virtual thread per connection. Refusals are bencoded {@code failure reason}s with status 200, as
 * clients expect; the peer's address is the connection's source, never a client-supplied {@code ip}.
 *
 * <p>Our own small server rather than the JDK's {@code HttpServer}, because the JDK's limits are
 * system properties ({@code jdk.httpserver.maxConnections}, {@code sun.net.httpserver.maxReqTime})
 * read once per JVM, when its first server is made: a library cannot set them for itself without
 * changing every other server in the embedding application, nor at all if one was made before.
 * Here each tracker has its own limits ({@link TrackerServerConfig.HttpLimits}): at most
 * {@code maxConnections} open (the accept loop waits for a free one, so the rest wait in the listen
 * backlog), at most {@code httpConnections} per source address (more are closed at once), and every
 * connection is closed {@code requestTimeout} after it was accepted, whatever it is doing, so a
 * half-sent request or a reply the client does not read holds its slot only that long.
 */
final class HttpFrontEnd implements AutoCloseable {
    private static final int MAX_SCRAPE_HASHES = 100;
    /** Request line and headers; an announce takes a few hundred bytes, a long passkey a few more. */
    static final int MAX_HEAD_BYTES = 16 * 1024;

    private final ServerSocket listener;
    private final Swarms swarms;
    private final TrackerServerConfig config;
    private final Semaphore connectionSlots;
    private final ConcurrentHashMap<Object, Integer> openBySource = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor deadlines;
    private Thread acceptLoop;
    final LongAdder announces = new LongAdder();

    /** Binds the port; {@link #start()} starts serving. */
    HttpFrontEnd(TrackerServerConfig config, Swarms swarms) throws IOException {
        this.config = config;
        this.swarms = swarms;
        this.connectionSlots = new Semaphore(config.http().maxConnections());
        InetSocketAddress at = new InetSocketAddress(config.bind(), config.httpPort());
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(at, 128);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen for HTTP on " + at + ": " + e.getMessage(), e);
        }
        this.listener = socket;
        this.deadlines = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("jtorrent-tracker-http-deadlines").daemon().factory());
        deadlines.setRemoveOnCancelPolicy(true); // a connection that ends in time leaves nothing queued
    }

    void start() {
        acceptLoop = Thread.ofPlatform().name("jtorrent-tracker-http").daemon().start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                connectionSlots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                connectionSlots.release();
                if (listener.isClosed()) return;
                pause(); // e.g. out of file descriptors: try again shortly rather than stop serving for good
                continue;
            }
            Object source = Sources.key(socket.getInetAddress());
            if (!openOneMore(source)) {
                closeQuietly(socket);
                connectionSlots.release();
                continue;
            }
            open.add(socket);
            ScheduledFuture<?> deadline;
            try {
                deadline = deadlines.schedule(() -> closeQuietly(socket), config.http().requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) { // closing: this connection goes with the rest
                closeQuietly(socket);
                return;
            }
            Thread.ofVirtual().name("jtorrent-tracker-http-conn").start(() -> {
                try {
                    serve(socket);
                } finally {
                    deadline.cancel(false);
                    closeQuietly(socket);
                    open.remove(socket);
                    openBySource.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
                    connectionSlots.release();
                }
            });
        }
    }

    private boolean openOneMore(Object source) {
        int limit = config.perAddress().httpConnections();
        boolean[] admitted = {false};
        openBySource.compute(source, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) return n;
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request, one reply; any I/O error (the deadline closing the socket among them) just ends it. */
    private void serve(Socket socket) {
        try {
            Response response = respond(new BufferedInputStream(socket.getInputStream(), 2048), socket.getInetAddress(),
                    swarms, config, announces);
            reply(socket.getOutputStream(), response);
        } catch (IOException e) {
            // closed by the deadline, reset by the client: nothing to answer
        }
    }

    /** A reply's status and body; every reply is {@code text/plain} and closes the connection. */
    record Response(int status, byte[] body) {
        static Response text(int status, String text) {
            return new Response(status, text.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Everything the server does with a request's bytes: reads the head from {@code in}, parses the
     * request line and the query, and answers an announce (counted in {@code announces}) or a
     * scrape. Static and socket-free, so that the fuzz target (docs/fuzzing.md) runs exactly this on
     * arbitrary bytes. Throws only if {@code in} ends before the head does.
     */
    static Response respond(InputStream in, InetAddress from, Swarms swarms, TrackerServerConfig config, LongAdder announces)
            throws IOException {
        String requestLine = readHead(in);
        if (requestLine == null) return Response.text(431, "request head over " + MAX_HEAD_BYTES + " bytes\n");
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) return Response.text(400, "not an HTTP/1.x request line\n");
        if (!parts[0].equals("GET")) return Response.text(405, "only GET\n");
        String target = parts[1];
        int hash = target.indexOf('#');
        if (hash >= 0) target = target.substring(0, hash);
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, List<byte[]>> query;
        try {
            query = UrlEncoding.decodeQuery(q < 0 ? null : target.substring(q + 1));
        } catch (IllegalArgumentException e) {
            return Response.text(400, "bad query: " + e.getMessage() + "\n");
        }
        return switch (path) {
            case "/announce" -> {
                announces.increment();
                yield new Response(200, announceReply(swarms, config, query, from));
            }
            case "/scrape" -> new Response(200, scrapeReply(swarms, query));
            default -> Response.text(404, "not a tracker URL; use /announce or /scrape\n");
        };
    }

    /**
     * Reads the request line and the headers after it (which a tracker does not need), up to the
     * empty line; the request line, or null if the head is longer than {@link #MAX_HEAD_BYTES}.
     */
    static String readHead(InputStream in) throws IOException {
        byte[] head = new byte[MAX_HEAD_BYTES];
        int n = 0;
        int lineEnd = -1;
        while (true) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before the end of the request head");
            if (n == head.length) return null;
            head[n++] = (byte) b;
            if (b != '\n') continue;
            if (lineEnd < 0) lineEnd = n;
            // an empty line (CRLF CRLF, or bare LF LF) ends the head
            if (n >= 2 && head[n - 2] == '\n' || n >= 4 && head[n - 2] == '\r' && head[n - 3] == '\n') break;
        }
        int end = lineEnd - 1;
        if (end > 0 && head[end - 1] == '\r') end--;
        return new String(head, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static byte[] announceReply(Swarms swarms, TrackerServerConfig config, Map<String, List<byte[]>> q, InetAddress from) {
        byte[] hash = first(q, "info_hash");
        byte[] peerId = first(q, "peer_id");
        if (hash == null || hash.length != InfoHash.LENGTH) return failure("info_hash must be 20 bytes");
        if (peerId == null || peerId.length != PeerId.LENGTH) return failure("peer_id must be 20 bytes");
        long port = number(q, "port", -1);
        if (port < 1 || port > 0xFFFF) return failure("port must be 1..65535");
        long left = number(q, "left", -1);
        if (left < 0) return failure("left must be a non-negative number");
        long numWant = number(q, "numwant", -1);
        AnnounceEvent event = AnnounceEvent.fromHttpName(text(q, "event"));
        PeerAddress address = new PeerAddress(from, (int) port);
        Swarms.Reply reply;
        try {
            reply = swarms.announce(new Swarms.Announce(InfoHash.of(hash), address, PeerId.of(peerId), left, event,
                    (int) Math.min(numWant, Integer.MAX_VALUE)));
        } catch (Swarms.Refused e) {
            return failure(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval", config.interval().toSeconds());
        out.put("min interval", Math.max(1, config.interval().toSeconds() / 2));
        out.put("complete", reply.seeders());
        out.put("incomplete", reply.leechers());
        if ("0".equals(text(q, "compact"))) {
            boolean withId = !"1".equals(text(q, "no_peer_id"));
            List<Map<String, Object>> dicts = new ArrayList<>();
            for (Swarms.Peer p : reply.peers()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("ip", p.address().ip().getHostAddress());
                d.put("port", p.address().port());
                if (withId) d.put("peer id", p.peerId().bytes());
                dicts.add(d);
            }
            out.put("peers", dicts);
        } else {
            List<Swarms.Peer> v4 = reply.peers().stream().filter(p -> p.address().isIpv4()).toList();
            List<Swarms.Peer> v6 = reply.peers().stream().filter(p -> p.address().isIpv6()).toList();
            out.put("peers", compact(v4, PeerAddress.COMPACT_V4));
            if (!v6.isEmpty()) out.put("peers6", compact(v6, PeerAddress.COMPACT_V6));
        }
        return Bencode.encode(out);
    }

    private static byte[] compact(List<Swarms.Peer> peers, int each) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(peers.size() * each);
        peers.forEach(p -> p.address().writeCompact(b));
        return b.array();
    }

    private static byte[] scrapeReply(Swarms swarms, Map<String, List<byte[]>> q) {
        List<byte[]> hashes = q.getOrDefault("info_hash", List.of());
        // A full scrape would list every torrent: costly and a privacy leak, so we do not offer it.
        if (hashes.isEmpty()) return failure("full scrape is not supported; name info_hash");
        if (hashes.size() > MAX_SCRAPE_HASHES) return failure("at most " + MAX_SCRAPE_HASHES + " info_hash per scrape");
        Map<byte[], Object> files = new LinkedHashMap<>();
        Set<InfoHash> named = new HashSet<>();
        for (byte[] h : hashes) {
            if (h.length != InfoHash.LENGTH) return failure("info_hash must be 20 bytes");
            // A hash named twice is answered once: a dictionary cannot hold a key twice (the encoder
            // refuses, and the request died without a reply; docs/fuzzing.md).
            if (!named.add(InfoHash.of(h))) continue;
            ScrapeStats s = swarms.scrape(InfoHash.of(h));
            files.put(h, Map.of("complete", s.complete(), "downloaded", s.downloaded(), "incomplete", s.incomplete()));
        }
        return Bencode.encode(Map.of("files", files));
    }

    private static byte[] failure(String reason) {
        return Bencode.encode(Map.of("failure reason", reason));
    }

    private static byte[] first(Map<String, List<byte[]>> q, String key) {
        List<byte[]> v = q.get(key);
        return v == null ? null : v.getFirst();
    }

    private static String text(Map<String, List<byte[]>> q, String key) {
        byte[] v = first(q, key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** A decimal parameter; absent or not a number gives the fallback, out-of-range values saturate. */
    private static long number(Map<String, List<byte[]>> q, String key, long fallback) {
        String s = text(q, key);
        if (s == null || !s.matches("-?\\d{1,30}")) return fallback;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return s.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static void reply(OutputStream out, Response response) throws IOException {
        int status = response.status();
        byte[] body = response.body();
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        out.write(all); // one write, so the reply leaves in as few segments as it can
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Error";
        };
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        if (acceptLoop != null) acceptLoop.interrupt();
        deadlines.shutdownNow();
        open.forEach(HttpFrontEnd::closeQuietly);
    }
}
