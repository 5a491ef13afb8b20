package org.jtorrent.tracker.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.UrlEncoding;

/**
 * HTTP announce and scrape (BEP 3, 7, 23, 48) on the JDK's HTTP server, one virtual thread per
 * request. Refusals are bencoded {@code failure reason}s with status 200, as clients expect; the
 * peer's address is the connection's source, never a client-supplied {@code ip} parameter.
 */
final class HttpFrontEnd implements AutoCloseable {
    private static final int MAX_SCRAPE_HASHES = 100;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Swarms swarms;
    private final TrackerServerConfig config;
    final LongAdder announces = new LongAdder();

    HttpFrontEnd(TrackerServerConfig config, Swarms swarms) throws IOException {
        this.config = config;
        this.swarms = swarms;
        InetSocketAddress at = new InetSocketAddress(config.bind(), config.httpPort());
        try {
            this.server = HttpServer.create(at, 128);
        } catch (IOException e) {
            throw new IOException("cannot listen for HTTP on " + at + ": " + e.getMessage(), e);
        }
        server.setExecutor(threads);
        server.createContext("/announce", this::announce);
        server.createContext("/scrape", this::scrape);
        server.createContext("/", exchange -> send(exchange, 404, "not a tracker URL; use /announce or /scrape\n".getBytes(StandardCharsets.US_ASCII)));
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void announce(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/announce")) {
                send(exchange, 404, new byte[0]);
                return;
            }
            announces.increment();
            send(exchange, 200, announceReply(swarms, config, exchange.getRequestURI().getRawQuery(),
                    exchange.getRemoteAddress().getAddress()));
        }
    }

    /**
     * The reply to an announce from {@code from} with this raw query: everything the server does
     * with a request's bytes after the JDK has parsed its request line (static, so that the fuzz
     * target runs it without a socket).
     */
    static byte[] announceReply(Swarms swarms, TrackerServerConfig config, String rawQuery, InetAddress from) {
        Map<String, List<byte[]>> q;
        try {
            q = UrlEncoding.decodeQuery(rawQuery);
        } catch (IllegalArgumentException e) {
            return failure("bad query: " + e.getMessage());
        }
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

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/scrape")) {
                send(exchange, 404, new byte[0]);
                return;
            }
            send(exchange, 200, scrapeReply(swarms, exchange.getRequestURI().getRawQuery()));
        }
    }

    /** The reply to a scrape with this raw query (static for the fuzz target, as {@link #announceReply}). */
    static byte[] scrapeReply(Swarms swarms, String rawQuery) {
        List<byte[]> hashes;
        try {
            hashes = UrlEncoding.decodeQuery(rawQuery).getOrDefault("info_hash", List.of());
        } catch (IllegalArgumentException e) {
            return failure("bad query: " + e.getMessage());
        }
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

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
