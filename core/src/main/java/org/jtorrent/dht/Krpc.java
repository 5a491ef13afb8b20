package org.jtorrent.dht;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.bencode.BencodeLimits;

/**
 * The KRPC codec (BEP 5, with BEP 32's {@code nodes6}/{@code want}, BEP 42's {@code ip} and BEP
 * 43's {@code ro}). Decoding is bounded whatever arrives: a packet longer than {@link #MAX_PACKET}
 * is refused before parsing, the bencode parser stops at {@link #LIMITS}, and every list is read
 * up to a fixed count ({@link #MAX_NODES} per family, {@link #MAX_VALUES} peers). Anything that is
 * not a well-formed message gives {@link Optional#empty()}: the node drops it without a reply.
 */
public final class Krpc {
    /** Larger datagrams are dropped unread: real KRPC packets stay near 1,500 bytes. */
    public static final int MAX_PACKET = 8192;
    public static final int MAX_TRANSACTION_ID = 16;
    public static final int MAX_TOKEN = 64;
    /** Nodes read from one reply per address family; a reply carries 8 (k) when honest. */
    public static final int MAX_NODES = 16;
    public static final int MAX_VALUES = 200;
    static final BencodeLimits LIMITS = new BencodeLimits(6, 1024);
    private static final int MAX_WANT = 8;
    private static final int MAX_ERROR_TEXT = 200;
    /** Our version tag (BEP 20 style): "JT" and a two-byte version. */
    private static final byte[] VERSION = {'J', 'T', 0, 1};

    private Krpc() {
    }

    public static Optional<KrpcMessage> decode(byte[] packet, int length) {
        if (length <= 0 || length > MAX_PACKET || packet[0] != 'd') return Optional.empty();
        try {
            BDocument doc = Bencode.decodePrefix(packet, 0, length, LIMITS);
            if (doc.endOffset() != length || !(doc.root() instanceof BDict top)) return Optional.empty();
            return Optional.ofNullable(decode(top));
        } catch (BencodeException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static KrpcMessage decode(BDict top) {
        byte[] tid = string(top, "t", 1, MAX_TRANSACTION_ID);
        String type = text(top, "y", 1);
        if (tid == null || type == null) return null;
        return switch (type) {
            case "q" -> query(top, tid);
            case "r" -> response(top, tid);
            case "e" -> error(top, tid);
            default -> null;
        };
    }

    private static KrpcMessage.Query query(BDict top, byte[] tid) {
        String name = text(top, "q", 32);
        BDict args = dict(top, "a");
        if (name == null || args == null) return null;
        NodeId sender = id(args, "id");
        if (sender == null) return null;
        boolean readOnly = Long.valueOf(1).equals(integer(top, "ro"));
        KrpcMessage.Method method = KrpcMessage.Method.of(name);
        NodeId target = null;
        int port = 0;
        boolean implied = false;
        byte[] token = null;
        switch (method) {
            case FIND_NODE -> {
                target = id(args, "target");
                if (target == null) return null;
            }
            case GET_PEERS, ANNOUNCE_PEER -> {
                target = id(args, "info_hash");
                if (target == null) return null;
                if (method == KrpcMessage.Method.ANNOUNCE_PEER) {
                    implied = Long.valueOf(1).equals(integer(args, "implied_port"));
                    Long p = integer(args, "port");
                    token = string(args, "token", 1, MAX_TOKEN);
                    if (token == null) return null;
                    if (!implied && (p == null || p < 1 || p > 65535)) return null;
                    port = p == null || p < 1 || p > 65535 ? 0 : p.intValue();
                }
            }
            default -> {
            }
        }
        boolean want4 = false;
        boolean want6 = false;
        if (args.get("want").orElse(null) instanceof BList want) {
            int seen = 0;
            for (BValue v : want) {
                if (++seen > MAX_WANT) break;
                if (v instanceof BString s && s.length() == 2) {
                    want4 |= s.contentEquals("n4".getBytes(StandardCharsets.US_ASCII));
                    want6 |= s.contentEquals("n6".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        return new KrpcMessage.Query(tid, method, sender, target, want4, want6, port, implied, token, readOnly);
    }

    private static KrpcMessage.Response response(BDict top, byte[] tid) {
        BDict r = dict(top, "r");
        if (r == null) return null;
        NodeId sender = id(r, "id");
        if (sender == null) return null;
        List<NodeInfo> nodes = List.of();
        List<NodeInfo> nodes6 = List.of();
        byte[] n4 = string(r, "nodes", 0, MAX_PACKET);
        if (n4 != null) nodes = Compact.parseNodes(n4, false, MAX_NODES);
        byte[] n6 = string(r, "nodes6", 0, MAX_PACKET);
        if (n6 != null) nodes6 = Compact.parseNodes(n6, true, MAX_NODES);
        List<InetSocketAddress> values = new ArrayList<>();
        if (r.get("values").orElse(null) instanceof BList list) {
            for (BValue v : list) {
                if (values.size() == MAX_VALUES) break;
                if (v instanceof BString s && (s.length() == 6 || s.length() == 18)) {
                    InetSocketAddress a = Compact.parseAddress(s.bytes());
                    if (a != null && a.getPort() != 0) values.add(a);
                }
            }
        }
        byte[] token = string(r, "token", 1, MAX_TOKEN);
        byte[] ip = string(top, "ip", 6, 18);
        InetSocketAddress requester = ip == null ? null : Compact.parseAddress(ip);
        return new KrpcMessage.Response(tid, sender, nodes, nodes6, values, token, requester);
    }

    private static KrpcMessage.Error error(BDict top, byte[] tid) {
        if (!(top.get("e").orElse(null) instanceof BList e) || e.size() < 1) return null;
        long code = 201;
        String text = "";
        int i = 0;
        for (BValue v : e) {
            if (i == 0 && v instanceof BInt n) code = n.value();
            if (i == 1 && v instanceof BString s) {
                byte[] b = s.bytes();
                text = new String(b, 0, Math.min(b.length, MAX_ERROR_TEXT), StandardCharsets.UTF_8);
            }
            if (++i == 2) break;
        }
        return new KrpcMessage.Error(tid, code, text);
    }

    private static byte[] string(BDict d, String key, int min, int max) {
        if (!(d.get(key).orElse(null) instanceof BString s) || s.length() < min || s.length() > max) return null;
        return s.bytes();
    }

    private static String text(BDict d, String key, int max) {
        byte[] b = string(d, key, 1, max);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    private static NodeId id(BDict d, String key) {
        byte[] b = string(d, key, NodeId.LENGTH, NodeId.LENGTH);
        return b == null ? null : NodeId.of(b);
    }

    private static BDict dict(BDict d, String key) {
        return d.get(key).orElse(null) instanceof BDict inner ? inner : null;
    }

    private static Long integer(BDict d, String key) {
        if (!(d.get(key).orElse(null) instanceof BInt n)) return null;
        try {
            return n.value();
        } catch (BencodeException | ArithmeticException e) {
            return null;
        }
    }

    // ---- encoding ----

    public static byte[] encode(KrpcMessage message) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("t", message.transactionId());
        top.put("v", VERSION);
        switch (message) {
            case KrpcMessage.Query q -> {
                top.put("y", "q");
                top.put("q", q.method().wireName);
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("id", q.sender().bytes());
                switch (q.method()) {
                    case FIND_NODE -> a.put("target", q.target().bytes());
                    case GET_PEERS -> a.put("info_hash", q.target().bytes());
                    case ANNOUNCE_PEER -> {
                        a.put("info_hash", q.target().bytes());
                        a.put("port", (long) q.port());
                        a.put("token", q.token());
                        if (q.impliedPort()) a.put("implied_port", 1L);
                    }
                    default -> {
                    }
                }
                if (q.want4() || q.want6()) {
                    List<String> want = new ArrayList<>(2);
                    if (q.want4()) want.add("n4");
                    if (q.want6()) want.add("n6");
                    a.put("want", want);
                }
                top.put("a", a);
                if (q.readOnly()) top.put("ro", 1L);
            }
            case KrpcMessage.Response r -> {
                top.put("y", "r");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", r.sender().bytes());
                if (!r.nodes().isEmpty()) body.put("nodes", Compact.nodes(r.nodes(), false));
                if (!r.nodes6().isEmpty()) body.put("nodes6", Compact.nodes(r.nodes6(), true));
                if (!r.values().isEmpty()) body.put("values", r.values().stream().map(Compact::address).toList());
                if (r.token() != null) body.put("token", r.token());
                top.put("r", body);
                if (r.requester() != null) top.put("ip", Compact.address(r.requester()));
            }
            case KrpcMessage.Error e -> {
                top.put("y", "e");
                top.put("e", List.of(e.code(), e.message()));
            }
        }
        return Bencode.encode(top);
    }
}
