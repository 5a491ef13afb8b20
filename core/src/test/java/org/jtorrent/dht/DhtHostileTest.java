package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node under attack: whatever arrives, it stays bounded, answers little, and keeps serving (run inside {@code unshare -n}). */
@Timeout(120)
class DhtHostileTest {
    private static final byte[] TID = {'a', 'a'};
    private final Random random = new Random(11);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    /** A raw UDP endpoint at its own loopback address, speaking KRPC by hand. */
    private final class Raw implements AutoCloseable {
        final DatagramSocket socket;

        Raw(InetAddress address) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(address, 0));
            socket.setSoTimeout(1000);
            closing.add(this);
        }

        void send(byte[] packet, InetSocketAddress to) throws IOException {
            socket.send(new DatagramPacket(packet, packet.length, to));
        }

        /** The next datagram that is not a query (the node pings those that query it), or null after the timeout. */
        DatagramPacket receive(int timeoutMillis) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                int left = (int) TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return null;
                DatagramPacket p = receiveAny(left);
                if (p == null) return null;
                var m = Krpc.decode(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                if (m.isEmpty() || !(m.get() instanceof KrpcMessage.Query)) return p;
            }
        }

        /** The next datagram, or null after the timeout. */
        DatagramPacket receiveAny(int timeoutMillis) throws IOException {
            socket.setSoTimeout(timeoutMillis);
            DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
            try {
                socket.receive(p);
                return p;
            } catch (SocketTimeoutException e) {
                return null;
            }
        }

        KrpcMessage receiveMessage(int timeoutMillis) throws IOException {
            DatagramPacket p = receive(timeoutMillis);
            return p == null ? null : Krpc.decode(Arrays.copyOf(p.getData(), p.getLength()), p.getLength()).orElseThrow();
        }

        /** The next message, queries included. */
        KrpcMessage receiveAnyMessage(int timeoutMillis) throws IOException {
            DatagramPacket p = receiveAny(timeoutMillis);
            return p == null ? null : Krpc.decode(Arrays.copyOf(p.getData(), p.getLength()), p.getLength()).orElseThrow();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private DhtNode node(DhtConfig config) throws IOException {
        DhtNode n = new DhtNode(config);
        closing.add(n);
        n.start();
        return n;
    }

    private static DhtConfig config(int n) {
        return DhtConfig.loopback(DhtSwarm.loopback(n)).withQueriesPerSecond(50);
    }

    private static byte[] ping(NodeId sender) {
        return Krpc.encode(KrpcMessage.Query.ping(TID, sender, false));
    }

    private static byte[] getPeers(NodeId sender, NodeId infoHash, List<String> want) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", sender.bytes());
        a.put("info_hash", infoHash.bytes());
        if (!want.isEmpty()) a.put("want", want);
        return Bencode.encode(Map.of("t", TID, "y", "q", "q", "get_peers", "a", a));
    }

    private static byte[] announce(NodeId sender, NodeId infoHash, byte[] token, int port) {
        return Krpc.encode(KrpcMessage.Query.announcePeer(TID, sender, infoHash, port, false, token, false));
    }

    @Test
    void garbageIsDroppedSilentlyAndTheNodeKeepsAnswering() throws Exception {
        DhtNode node = node(config(0));
        Raw raw = new Raw(DhtSwarm.loopback(200));
        List<byte[]> garbage = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[1 + random.nextInt(1500)];
            random.nextBytes(b);
            if (i % 2 == 0) b[0] = 'd';
            garbage.add(b);
        }
        garbage.add(new byte[9000]); // larger than any KRPC packet
        garbage.add("d1:ad2:id20:".getBytes()); // truncated
        garbage.add(Bencode.encode(Map.of("t", TID, "y", "q", "q", "ping", "a", Map.of("id", "short"))));
        garbage.add(Bencode.encode(Map.of("t", TID, "y", "r", "r", Map.of("id", new byte[20])))); // a response nobody asked for
        for (byte[] g : garbage) raw.send(g, node.localAddress());
        assertThat(raw.receive(300)).as("no reply to garbage").isNull();
        raw.send(ping(NodeId.random()), node.localAddress());
        KrpcMessage reply = raw.receiveMessage(2000);
        assertThat(reply).isInstanceOf(KrpcMessage.Response.class);
        assertThat(((KrpcMessage.Response) reply).sender()).isEqualTo(node.id());
        DhtStats stats = node.stats();
        assertThat(stats.queriesAnswered()).isEqualTo(1);
        assertThat(stats.malformed() + stats.unmatchedResponses()).as("everything else was dropped").isEqualTo(stats.received() - 1);
        assertThat(stats.malformed()).isPositive();
    }

    @Test
    void responsesWithAForgedTransactionIdOrFromAnotherAddressAreIgnored() throws Exception {
        DhtNode node = node(config(1));
        Raw target = new Raw(DhtSwarm.loopback(201));
        Raw forger = new Raw(DhtSwarm.loopback(202));
        CompletableFuture<KrpcMessage.Response> pong = node.ping(target.address());
        KrpcMessage.Query q = (KrpcMessage.Query) target.receiveAnyMessage(2000);
        NodeId targetId = NodeId.random();
        byte[] wrongTid = q.transactionId().clone();
        wrongTid[0] ^= 1;
        target.send(Krpc.encode(new KrpcMessage.Response(wrongTid, targetId, List.of(), List.of(), List.of(), null, null)), node.localAddress());
        target.send(Krpc.encode(new KrpcMessage.Response(new byte[] {1}, targetId, List.of(), List.of(), List.of(), null, null)), node.localAddress());
        // the right transaction id from the wrong address
        forger.send(Krpc.encode(new KrpcMessage.Response(q.transactionId(), targetId, List.of(), List.of(), List.of(), null, null)), node.localAddress());
        Thread.sleep(200);
        assertThat(pong).isNotDone();
        assertThat(node.stats().unmatchedResponses()).isEqualTo(3);
        assertThat(node.routingNodes()).isEmpty();
        // the real answer still matches
        target.send(Krpc.encode(new KrpcMessage.Response(q.transactionId(), targetId, List.of(), List.of(), List.of(), null, null)), node.localAddress());
        assertThat(pong.get(2, TimeUnit.SECONDS).sender()).isEqualTo(targetId);
        assertThat(node.routingNodes()).extracting(NodeInfo::id).containsExactly(targetId);
        // a replayed answer matches nothing any more
        target.send(Krpc.encode(new KrpcMessage.Response(q.transactionId(), targetId, List.of(), List.of(), List.of(), null, null)), node.localAddress());
        Thread.sleep(100);
        assertThat(node.stats().unmatchedResponses()).isEqualTo(4);
    }

    @Test
    void aFloodFromOneAddressIsRateLimitedAndRepliesNeverAmplify() throws Exception {
        DhtNode node = node(config(2));
        Raw flooder = new Raw(DhtSwarm.loopback(203));
        Raw honest = new Raw(DhtSwarm.loopback(204));
        NodeId infoHash = NodeId.random();
        long sentBytes = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 5000; i++) {
            byte[] q = switch (i % 3) {
                case 0 -> ping(NodeId.random(random));
                case 1 -> Krpc.encode(KrpcMessage.Query.findNode(TID, NodeId.random(random), NodeId.random(random), false));
                default -> getPeers(NodeId.random(random), infoHash, List.of("n4", "n6"));
            };
            flooder.send(q, node.localAddress());
            sentBytes += q.length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long repliedBytes = 0;
        int replies = 0;
        for (DatagramPacket p; (p = flooder.receive(500)) != null; ) {
            repliedBytes += p.getLength();
            replies++;
        }
        // burst of 5 s worth (250) plus 50 a second while it lasted, and some slack for the pings the node sends
        assertThat(replies).isLessThanOrEqualTo((int) (250 + 50 * (seconds + 1)) + 5);
        assertThat(repliedBytes).isLessThanOrEqualTo(sentBytes);
        DhtStats stats = node.stats();
        assertThat(stats.queriesAnswered()).isLessThanOrEqualTo((long) (250 + 50 * (seconds + 1)));
        assertThat(stats.rateLimited()).isEqualTo(stats.received() - stats.queriesAnswered() - stats.malformed() - stats.unmatchedResponses());
        assertThat(stats.rateLimited()).isGreaterThan(stats.queriesAnswered());
        honest.send(ping(NodeId.random()), node.localAddress());
        assertThat(honest.receiveMessage(2000)).as("others are still answered").isInstanceOf(KrpcMessage.Response.class);
    }

    @Test
    void everyReplyIsAtMostAFewTimesItsRequest() throws Exception {
        try (DhtSwarm swarm = DhtSwarm.start(24, c -> c)) {
            DhtNode node = swarm.nodes.get(0);
            NodeId infoHash = NodeId.random();
            for (int i = 1; i < 24; i++) swarm.nodes.get(i).announce(infoHash, 1000 + i).get(10, TimeUnit.SECONDS);
            Raw raw = new Raw(DhtSwarm.loopback(205));
            List<String> hugeWant = new ArrayList<>();
            for (int i = 0; i < 100; i++) hugeWant.add(i % 2 == 0 ? "n4" : "n6");
            List<byte[]> queries = List.of(ping(NodeId.random()),
                    Krpc.encode(KrpcMessage.Query.findNode(TID, NodeId.random(), NodeId.random(), false)),
                    getPeers(NodeId.random(), infoHash, List.of()),
                    getPeers(NodeId.random(), infoHash, List.of("n4", "n6")),
                    getPeers(NodeId.random(), NodeId.random(), hugeWant),
                    Bencode.encode(Map.of("t", TID, "y", "q", "q", "no_such_method", "a", Map.of("id", new byte[20]))));
            for (byte[] q : queries) {
                raw.send(q, node.localAddress());
                DatagramPacket reply = raw.receive(2000);
                assertThat(reply).isNotNull();
                assertThat(reply.getLength()).as(new String(q, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .isLessThanOrEqualTo(node.config().replyFactor() * q.length);
            }
            // a get_peers for a stored swarm still carries peers within the budget
            raw.send(getPeers(NodeId.random(), infoHash, List.of()), node.localAddress());
            KrpcMessage.Response r = (KrpcMessage.Response) raw.receiveMessage(2000);
            if (node.storedPeers(infoHash).size() > 0) assertThat(r.values()).isNotEmpty();
            assertThat(r.token()).isNotNull();
        }
    }

    @Test
    void announcesWithABadForeignOrExpiredTokenAreRefused() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DhtNode node = node(config(3).withClock(clock));
        Raw a = new Raw(DhtSwarm.loopback(206));
        Raw b = new Raw(DhtSwarm.loopback(207));
        NodeId infoHash = NodeId.random();
        a.send(getPeers(NodeId.random(), infoHash, List.of()), node.localAddress());
        byte[] token = ((KrpcMessage.Response) a.receiveMessage(2000)).token();

        a.send(announce(NodeId.random(), infoHash, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 4000), node.localAddress());
        assertThat(a.receiveMessage(2000)).isInstanceOfSatisfying(KrpcMessage.Error.class, e -> assertThat(e.code()).isEqualTo(203));
        b.send(announce(NodeId.random(), infoHash, token, 4000), node.localAddress()); // someone else's token
        assertThat(b.receiveMessage(2000)).isInstanceOf(KrpcMessage.Error.class);
        assertThat(node.storedPeers(infoHash)).isEmpty();

        clock.advance(Duration.ofMinutes(9));
        a.send(announce(NodeId.random(), infoHash, token, 4000), node.localAddress());
        assertThat(a.receiveMessage(2000)).isInstanceOf(KrpcMessage.Response.class);
        assertThat(node.storedPeers(infoHash)).containsExactly(new InetSocketAddress(a.address().getAddress(), 4000));
        clock.advance(Duration.ofMinutes(1));
        a.send(announce(NodeId.random(), infoHash, token, 4001), node.localAddress());
        assertThat(a.receiveMessage(2000)).as("10 minutes old").isInstanceOf(KrpcMessage.Error.class);
        assertThat(node.stats().badTokens()).isEqualTo(3);
    }

    @Test
    void memoryStaysBoundedAfterAHundredThousandGetPeersAndAnnounces() throws Exception {
        DhtNode node = node(config(4).withQueriesPerSecond(1e9).withStoreLimits(20, 500, 2000).withLimits(64, 300));
        Raw raw = new Raw(DhtSwarm.loopback(208));
        raw.send(getPeers(NodeId.random(), NodeId.random(), List.of()), node.localAddress());
        byte[] token = ((KrpcMessage.Response) raw.receiveMessage(2000)).token();
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (raw.receive(2000) != null) {
                    // replies are not the point here
                }
            } catch (IOException ignored) {
                // closed
            }
        });
        for (int i = 0; i < 100_000; i++) {
            NodeId ih = NodeId.random(random);
            raw.send(getPeers(NodeId.random(random), ih, List.of()), node.localAddress());
            raw.send(announce(NodeId.random(random), ih, token, 1 + i % 60000), node.localAddress());
            if (i % 2000 == 0) Thread.sleep(5); // let the node keep up; the socket buffer drops the rest, as a real flood would
        }
        // spoofed sources: many addresses, each tracked by the rate limiter only up to its cap
        for (int i = 0; i < 600; i++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 3, (byte) (i >> 8), (byte) (1 + i % 250)}), 0))) {
                byte[] q = ping(NodeId.random(random));
                s.send(new DatagramPacket(q, q.length, node.localAddress()));
            }
        }
        Thread.sleep(500);
        DhtStats stats = node.stats();
        assertThat(stats.storedInfoHashes()).isLessThanOrEqualTo(500);
        assertThat(stats.storedPeers()).isLessThanOrEqualTo(2000);
        assertThat(stats.trackedSources()).isLessThanOrEqualTo(300);
        assertThat(stats.pendingQueries()).isLessThanOrEqualTo(64);
        assertThat(stats.storedPeers()).as("the announces did arrive").isGreaterThan(100);
        raw.close();
        drain.join(5000);
        Raw honest = new Raw(DhtSwarm.loopback(209));
        honest.send(ping(NodeId.random()), node.localAddress());
        assertThat(honest.receiveMessage(2000)).isInstanceOf(KrpcMessage.Response.class);
    }

    @Test
    void tenThousandIdsFromOneAddressGetOneRoutingEntry() throws Exception {
        DhtNode node = node(config(5).withOnePerAddress(true));
        Raw liar = new Raw(DhtSwarm.loopback(210));
        Thread answering = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (KrpcMessage m; (m = liar.receiveAnyMessage(3000)) != null; ) {
                    if (m instanceof KrpcMessage.Query q) {
                        liar.send(Krpc.encode(new KrpcMessage.Response(q.transactionId(), NodeId.random(), List.of(), List.of(), List.of(), null, null)),
                                node.localAddress());
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // closed
            }
        });
        for (int i = 0; i < 10_000; i++) liar.send(ping(NodeId.random(random)), node.localAddress());
        List<CompletableFuture<KrpcMessage.Response>> pings = new ArrayList<>();
        for (int i = 0; i < 300; i++) pings.add(node.ping(liar.address()));
        CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).handle((x, y) -> null).get(10, TimeUnit.SECONDS);
        assertThat(node.routingNodes()).hasSize(1);
        assertThat(node.stats().tableSize() + node.stats().replacements()).isEqualTo(1);
        liar.close();
        answering.join(5000);
    }

    @Test
    void aNodeThatAnswersWithThousandsOfNodesCannotInflateALookup() throws Exception {
        Raw liar = new Raw(DhtSwarm.loopback(211));
        Thread answering = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (DatagramPacket p; (p = liar.receiveAny(3000)) != null; ) {
                    var m = Krpc.decode(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                    if (m.isEmpty() || !(m.get() instanceof KrpcMessage.Query q)) continue;
                    // first 2,400 nodes (nearly the largest datagram: refused unread), then 300 (fits the packet cap)
                    for (int count : new int[] {2400, 300}) {
                        byte[] nodes = new byte[count * 26];
                        random.nextBytes(nodes);
                        for (int i = 0; i < count; i++) {
                            nodes[i * 26 + 20] = 127;
                            nodes[i * 26 + 21] = 77; // 127.77.x.y: nobody there, every query to them times out
                            nodes[i * 26 + 25] |= 1;
                        }
                        byte[] r = Bencode.encode(Map.of("t", q.transactionId(), "y", "r", "r", Map.of("id", NodeId.random().bytes(), "nodes", nodes)));
                        liar.send(r, (InetSocketAddress) p.getSocketAddress());
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // closed
            }
        });
        DhtNode seeded = node(config(7).withBootstrap(List.of(liar.address())));
        LookupResult r = seeded.findNode(NodeId.random()).get(30, TimeUnit.SECONDS);
        // one query to the liar, then at most the 16 nodes read from its reply (none of which answers)
        assertThat(r.queries()).isLessThanOrEqualTo(1 + Krpc.MAX_NODES);
        assertThat(seeded.stats().malformed()).as("the 2,400-node replies were refused").isPositive();
        assertThat(seeded.stats().pendingQueries()).isLessThanOrEqualTo(seeded.config().maxPending());
        assertThat(seeded.stats().tableSize()).isLessThanOrEqualTo(1);
        assertThat(r.queries()).as("it did follow the nodes it was given").isGreaterThan(1);
        assertThat(r.closest()).hasSizeLessThanOrEqualTo(8);
        liar.close();
        answering.join(5000);
    }
}
