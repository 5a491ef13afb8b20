package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.FuzzChecks;
import org.junit.jupiter.api.Test;

class KrpcTest {
    private static final Random RANDOM = new Random(42);
    private static final byte[] TID = {1, 2, 3, 4};

    static NodeInfo node(String ip, int port) throws Exception {
        return new NodeInfo(NodeId.random(RANDOM), new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    private static KrpcMessage roundTrip(KrpcMessage m) {
        byte[] b = Krpc.encode(m);
        return Krpc.decode(b, b.length).orElseThrow();
    }

    @Test
    void queriesRoundTrip() {
        NodeId sender = NodeId.random(RANDOM);
        NodeId target = NodeId.random(RANDOM);
        var ping = (KrpcMessage.Query) roundTrip(KrpcMessage.Query.ping(TID, sender, true));
        assertThat(ping.method()).isEqualTo(KrpcMessage.Method.PING);
        assertThat(ping.sender()).isEqualTo(sender);
        assertThat(ping.readOnly()).isTrue();
        assertThat(ping.transactionId()).isEqualTo(TID);
        var find = (KrpcMessage.Query) roundTrip(KrpcMessage.Query.findNode(TID, sender, target, false));
        assertThat(find.target()).isEqualTo(target);
        assertThat(find.readOnly()).isFalse();
        var get = (KrpcMessage.Query) roundTrip(new KrpcMessage.Query(TID, KrpcMessage.Method.GET_PEERS, sender, target, true, true, 0, false, null, false));
        assertThat(get.method()).isEqualTo(KrpcMessage.Method.GET_PEERS);
        assertThat(get.want4()).isTrue();
        assertThat(get.want6()).isTrue();
        var announce = (KrpcMessage.Query) roundTrip(KrpcMessage.Query.announcePeer(TID, sender, target, 6881, false, new byte[] {9, 9}, false));
        assertThat(announce.port()).isEqualTo(6881);
        assertThat(announce.impliedPort()).isFalse();
        assertThat(announce.token()).containsExactly(9, 9);
        var implied = (KrpcMessage.Query) roundTrip(KrpcMessage.Query.announcePeer(TID, sender, target, 0, true, new byte[] {9}, false));
        assertThat(implied.impliedPort()).isTrue();
    }

    @Test
    void responsesAndErrorsRoundTrip() throws Exception {
        List<NodeInfo> n4 = List.of(node("1.2.3.4", 1000), node("5.6.7.8", 2000));
        List<NodeInfo> n6 = List.of(node("2001:db8::1", 3000));
        List<InetSocketAddress> values = List.of(new InetSocketAddress(InetAddress.getByName("9.9.9.9"), 51413),
                new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 6881));
        InetSocketAddress requester = new InetSocketAddress(InetAddress.getByName("124.31.75.21"), 7000);
        NodeId sender = NodeId.random(RANDOM);
        var r = (KrpcMessage.Response) roundTrip(new KrpcMessage.Response(TID, sender, n4, n6, values, new byte[] {7}, requester));
        assertThat(r.sender()).isEqualTo(sender);
        assertThat(r.nodes()).isEqualTo(n4);
        assertThat(r.nodes6()).isEqualTo(n6);
        assertThat(r.values()).isEqualTo(values);
        assertThat(r.token()).containsExactly(7);
        assertThat(r.requester()).isEqualTo(requester);
        var e = (KrpcMessage.Error) roundTrip(new KrpcMessage.Error(TID, 203, "bad token"));
        assertThat(e.code()).isEqualTo(203);
        assertThat(e.message()).isEqualTo("bad token");
    }

    @Test
    void malformedMessagesAreDropped() {
        NodeId id = NodeId.random(RANDOM);
        List<Map<String, Object>> bad = new ArrayList<>();
        bad.add(Map.of("t", TID, "y", "q", "q", "ping")); // no arguments
        bad.add(Map.of("t", TID, "y", "q", "q", "ping", "a", Map.of("id", new byte[19]))); // short id
        bad.add(Map.of("y", "q", "q", "ping", "a", Map.of("id", id.bytes()))); // no transaction id
        bad.add(Map.of("t", new byte[17], "y", "q", "q", "ping", "a", Map.of("id", id.bytes()))); // long transaction id
        bad.add(Map.of("t", TID, "y", "x", "q", "ping", "a", Map.of("id", id.bytes()))); // unknown type
        bad.add(Map.of("t", TID, "y", "q", "q", "find_node", "a", Map.of("id", id.bytes()))); // no target
        bad.add(Map.of("t", TID, "y", "q", "q", "announce_peer", "a", Map.of("id", id.bytes(), "info_hash", id.bytes(), "port", 1L))); // no token
        bad.add(Map.of("t", TID, "y", "q", "q", "announce_peer", "a", Map.of("id", id.bytes(), "info_hash", id.bytes(), "port", 70000L, "token", "x")));
        bad.add(Map.of("t", TID, "y", "r", "r", Map.of("nodes", new byte[26]))); // response without id
        bad.add(Map.of("t", TID, "y", "e", "e", List.of())); // empty error
        for (Map<String, Object> m : bad) {
            byte[] b = Bencode.encode(m);
            assertThat(Krpc.decode(b, b.length)).as(new String(b, StandardCharsets.ISO_8859_1)).isEmpty();
        }
        for (String s : new String[] {"", "i1e", "le", "d", "de1", "d1:t4:abcd1:y1:qe trailing", "garbage"}) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(Krpc.decode(b, b.length)).as(s).isEmpty();
        }
    }

    @Test
    void listsAreReadUpToTheirCapsAndOversizedPacketsAreRefused() throws Exception {
        byte[] nodes = new byte[280 * Compact.NODE4];
        RANDOM.nextBytes(nodes);
        for (int i = 0; i < 280; i++) nodes[i * Compact.NODE4 + 25] |= 1; // no port 0
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 30; i++) values.add(new byte[] {1, 2, 3, 4, 0, 1});
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", new byte[20]);
        r.put("nodes", nodes);
        r.put("values", values);
        byte[] b = Bencode.encode(Map.of("t", TID, "y", "r", "r", r));
        assertThat(b.length).isLessThanOrEqualTo(Krpc.MAX_PACKET);
        var decoded = (KrpcMessage.Response) Krpc.decode(b, b.length).orElseThrow();
        assertThat(decoded.nodes()).hasSize(Krpc.MAX_NODES);
        assertThat(decoded.values()).hasSize(30);
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) many.add(new byte[] {1, 2, 3, (byte) i, 0, 1});
        byte[] manyValues = Bencode.encode(Map.of("t", TID, "y", "r", "r", Map.of("id", new byte[20], "values", many)));
        var capped = (KrpcMessage.Response) Krpc.decode(manyValues, manyValues.length).orElseThrow();
        assertThat(capped.values()).hasSize(Krpc.MAX_VALUES);

        // 10,000 nodes cannot arrive in one datagram; 2,500 (the most UDP carries) are refused unread
        byte[] huge = Bencode.encode(Map.of("t", TID, "y", "r", "r", Map.of("id", new byte[20], "nodes", new byte[2500 * 26])));
        assertThat(Krpc.decode(huge, huge.length)).isEmpty();

        List<String> want = new ArrayList<>();
        for (int i = 0; i < 200; i++) want.add(i % 2 == 0 ? "xx" : "n6");
        want.set(0, "n4");
        byte[] q = Bencode.encode(Map.of("t", TID, "y", "q", "q", "get_peers",
                "a", Map.of("id", new byte[20], "info_hash", new byte[20], "want", want)));
        var query = (KrpcMessage.Query) Krpc.decode(q, q.length).orElseThrow();
        assertThat(query.want4()).isTrue();
        assertThat(query.want6()).isTrue();
    }

    @Property(tries = 2000)
    void randomBytesNeverThrowAndStayBounded(@ForAll("packets") byte[] packet) {
        FuzzChecks.boundedAllocation(64L * packet.length + 64 * 1024, "KRPC decode", () -> Krpc.decode(packet, packet.length));
    }

    @Property(tries = 1000)
    void mutatedValidPacketsNeverThrow(@ForAll("mutations") byte[] packet) {
        Krpc.decode(packet, packet.length);
    }

    @Provide
    Arbitrary<byte[]> packets() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(2048)
                .map(b -> {
                    if (b.length > 0) b[0] = 'd';
                    return b;
                });
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        byte[] base = Krpc.encode(KrpcMessage.Query.announcePeer(TID, NodeId.random(RANDOM), NodeId.random(RANDOM), 6881, false, new byte[8], true));
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(8).map(positions -> {
            byte[] b = base.clone();
            for (int p : positions) b[p % b.length] = (byte) (p >>> 8);
            return b;
        });
    }
}
