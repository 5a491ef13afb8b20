package org.jtorrent.pex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.testing.ScriptedPexPeer;
import org.jtorrent.peer.IdleHost;
import org.jtorrent.peer.PeerHost;
import org.jtorrent.id.PeerId;
import java.lang.reflect.Proxy;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PEX rules with real connections to scripted peers on loopback and a clock the test moves, so
 * that a minute costs nothing: who is listed and at which address, the interval, the caps, what a
 * flood and a huge message cost.
 */
@Timeout(60)
class PeerExchangeTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private final TestTorrent torrent = TestTorrent.single("t.bin", 4 * 16384, 16384);
    private final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final List<PexPeer> learnt = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> retracted = new CopyOnWriteArrayList<>();
    private final PeerExchange exchange = new PeerExchange(new PeerExchange.Sink() {
        @Override
        public void added(PeerConnection from, List<PexPeer> peers) {
            learnt.addAll(peers);
        }

        @Override
        public void dropped(PeerConnection from, List<InetSocketAddress> peers) {
            retracted.addAll(peers);
        }
    }, PeerExchange.INTERVAL, clock::get);
    private final IdleHost host = new IdleHost(torrent.metainfo().infoHash(), torrent.metainfo().info().layout(), List.of(exchange));
    private final List<PeerConnection> connections = new CopyOnWriteArrayList<>();
    /** The scripted peers speak plaintext: no MSE attempt first. */
    private static final PeerConfig PLAIN = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.DISABLE);
    /** RC4 required: with "prefer" on both ends MSE selects plaintext, as libtorrent does. */
    private static final PeerConfig RC4 = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.REQUIRE);
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private ServerSocketChannel listener;

    /** A connection and the scripted peer at its other end. */
    private record Link(PeerConnection ours, ScriptedPexPeer peer, InetSocketAddress listedAs) {
    }

    @BeforeEach
    void listen() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (PeerConnection c : connections) c.close();
        for (AutoCloseable c : closeAfter) c.close();
        listener.close();
    }

    /** A peer that dials us; with {@code listenPort} > 0 it says {@code p}. */
    private Link incoming(boolean pex, int listenPort) throws Exception {
        int pieces = host.layout().pieceCount();
        CompletableFuture<ScriptedPexPeer> peer = CompletableFuture.supplyAsync(() -> {
            try {
                return ScriptedPexPeer.dial((InetSocketAddress) listener.getLocalAddress(), host.infoHash(), pieces);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        PeerConnection ours = PeerConnection.accept(listener.accept(), host, PLAIN);
        return started(ours, peer.get(5, TimeUnit.SECONDS), pex, listenPort,
                listenPort > 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort) : null);
    }

    /** A peer we dial; {@code seed}: it has every piece. */
    private Link outgoing(boolean seed) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeAfter.add(server);
        int pieces = host.layout().pieceCount();
        CompletableFuture<ScriptedPexPeer> peer = CompletableFuture.supplyAsync(() -> {
            try {
                return ScriptedPexPeer.accept(server, host.infoHash(), pieces);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        InetSocketAddress dialled = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        PeerConnection ours = PeerConnection.connect(dialled, null, host, PLAIN);
        ScriptedPexPeer scripted = peer.get(5, TimeUnit.SECONDS);
        if (seed) scripted.send(new Message.Bitfield(new byte[] {(byte) 0xf0}));
        return started(ours, scripted, true, 0, dialled);
    }

    private Link started(PeerConnection ours, ScriptedPexPeer peer, boolean pex, int listenPort, InetSocketAddress listedAs)
            throws Exception {
        closeAfter.add(peer);
        ours.start();
        peer.greet(pex, listenPort);
        peer.awaitTheirs();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ours.peerClient().isEmpty() && System.nanoTime() < deadline) Thread.sleep(2);
        ours.peerPieceCount(); // takes the state lock: the reader has finished handling the extension handshake
        connections.add(ours);
        return new Link(ours, peer, listedAs);
    }

    private static List<InetSocketAddress> addresses(PexMessage m) {
        return m.added().stream().map(PexPeer::address).toList();
    }

    @Test
    void listsConnectedPeersByListenAddressNeverTheReceiverAndOnlyToPeersThatSpeakIt() throws Exception {
        Link dialledSeed = outgoing(true);
        Link withPort = incoming(true, 7001);
        Link withoutPort = incoming(true, 0);
        Link noPex = incoming(false, 7003);
        assertThat(dialledSeed.ours().isOutgoing()).isTrue();
        assertThat(withPort.ours().isOutgoing()).isFalse();
        assertThat(withPort.peer().theirs.extensions()).containsEntry(PexMessage.NAME, PexMessage.LOCAL_ID);

        exchange.tick(connections);

        PexMessage toSeed = withPort.peer().nextPex(5000);
        assertThat(toSeed).isNotNull();
        assertThat(addresses(toSeed)).containsExactlyInAnyOrder(dialledSeed.listedAs(), noPex.listedAs());
        PexMessage toDialled = dialledSeed.peer().nextPex(5000);
        assertThat(addresses(toDialled)).containsExactlyInAnyOrder(withPort.listedAs(), noPex.listedAs());
        assertThat(toDialled.added()).allMatch(p -> p.flags() == 0);
        PexMessage toPortless = withoutPort.peer().nextPex(5000);
        assertThat(toPortless.added()).containsExactlyInAnyOrder(new PexPeer(dialledSeed.listedAs(), PexPeer.SEED),
                new PexPeer(withPort.listedAs(), 0), new PexPeer(noPex.listedAs(), 0));
        assertThat(toPortless.dropped()).isEmpty();
        assertThat(noPex.peer().nextPex(300)).as("a peer without ut_pex gets none").isNull();
        assertThat(exchange.messagesSent()).isEqualTo(3);
    }

    /** A connection that MSE encrypted (RC4) is listed with 0x01, as libtorrent lists its encrypted peers. */
    @Test
    void anEncryptedConnectionIsListedAsPreferringEncryption() throws Exception {
        // IdleHost's peer id is one for all: the other end needs its own, or the handshake sees ourselves.
        IdleHost idle = new IdleHost(host.infoHash(), host.layout());
        PeerId otherId = PeerId.random();
        PeerHost other = (PeerHost) Proxy.newProxyInstance(PeerHost.class.getClassLoader(), new Class<?>[] {PeerHost.class},
                (proxy, method, args) -> method.getName().equals("localId") ? otherId : method.invoke(idle, args));
        try (ServerSocketChannel otherListener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<PeerConnection> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return PeerConnection.accept(otherListener.accept(), other, RC4);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            InetSocketAddress otherAddress = (InetSocketAddress) otherListener.getLocalAddress();
            PeerConnection ours = PeerConnection.connect(otherAddress, null, host, RC4);
            PeerConnection theirs = accepted.get(10, TimeUnit.SECONDS);
            closeAfter.add(theirs);
            theirs.start();
            ours.start();
            connections.add(ours);
            assertThat(ours.encrypted()).isTrue();
            Link receiver = incoming(true, 7001);
            exchange.tick(connections);
            assertThat(receiver.peer().nextPex(5000).added()).containsExactly(new PexPeer(otherAddress, PexPeer.PREFERS_ENCRYPTION));
        }
    }

    @Test
    void oneMessageAMinuteAtMostWithWhatChangedAndNothingWhenNothingDid() throws Exception {
        Link a = outgoing(false);
        Link b = incoming(true, 7001);
        exchange.tick(connections);
        assertThat(addresses(a.peer().nextPex(5000))).containsExactly(b.listedAs());
        assertThat(addresses(b.peer().nextPex(5000))).containsExactly(a.listedAs());

        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        Link e = incoming(true, 7005);
        exchange.tick(connections);
        assertThat(addresses(e.peer().nextPex(5000))).as("a newcomer's first message goes at once")
                .containsExactlyInAnyOrder(a.listedAs(), b.listedAs());
        assertThat(a.peer().nextPex(300)).as("within the minute").isNull();
        assertThat(b.peer().pex).isEmpty();

        clock.addAndGet(MINUTE - TimeUnit.SECONDS.toNanos(1));
        exchange.tick(connections);
        assertThat(addresses(a.peer().nextPex(5000))).containsExactly(e.listedAs());
        assertThat(addresses(b.peer().nextPex(5000))).containsExactly(e.listedAs());
        assertThat(e.peer().nextPex(300)).as("its minute is not over").isNull();

        b.peer().close();
        awaitClosed(b.ours());
        connections.remove(b.ours());
        clock.addAndGet(MINUTE);
        exchange.tick(connections);
        PexMessage toA = a.peer().nextPex(5000);
        assertThat(toA.added()).isEmpty();
        assertThat(toA.dropped()).containsExactly(b.listedAs());
        assertThat(e.peer().nextPex(5000).dropped()).containsExactly(b.listedAs());

        clock.addAndGet(MINUTE);
        exchange.tick(connections);
        assertThat(a.peer().nextPex(300)).as("nothing changed, nothing sent").isNull();
        assertThat(e.peer().pex).isEmpty();

        // That look counts: a peer that comes a second later is told a minute after it, not at once.
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        Link f = incoming(true, 7006);
        exchange.tick(connections);
        assertThat(a.peer().nextPex(300)).isNull();
        clock.addAndGet(MINUTE - TimeUnit.SECONDS.toNanos(1));
        exchange.tick(connections);
        assertThat(addresses(a.peer().nextPex(5000))).containsExactly(f.listedAs());
    }

    @Test
    void atMostFiftyAddedAndFiftyDroppedPerMessageTheRestAMinuteLater() throws Exception {
        Link receiver = outgoing(false);
        List<Link> others = new ArrayList<>();
        for (int i = 0; i < 60; i++) others.add(incoming(true, 8000 + i));
        exchange.tick(connections);
        PexMessage first = receiver.peer().nextPex(5000);
        assertThat(first.added()).hasSize(50);
        for (Link other : others) assertThat(other.peer().nextPex(5000).added()).hasSizeLessThanOrEqualTo(50);
        clock.addAndGet(MINUTE);
        exchange.tick(connections);
        PexMessage second = receiver.peer().nextPex(5000);
        assertThat(second.added()).hasSize(10);
        List<InetSocketAddress> all = new ArrayList<>(addresses(first));
        all.addAll(addresses(second));
        assertThat(all).containsExactlyInAnyOrderElementsOf(others.stream().map(Link::listedAs).toList());

        for (Link gone : others.subList(0, 55)) {
            gone.peer().close();
            awaitClosed(gone.ours());
            connections.remove(gone.ours());
        }
        clock.addAndGet(MINUTE);
        exchange.tick(connections);
        assertThat(receiver.peer().nextPex(5000).dropped()).hasSize(50);
        clock.addAndGet(MINUTE);
        exchange.tick(connections);
        PexMessage last = receiver.peer().nextPex(5000);
        assertThat(last.dropped()).hasSize(5);
        assertThat(last.added()).isEmpty();
    }

    /**
     * Ten messages at once, each naming 100 new peers: six are read (libtorrent's six a minute), the
     * rest ignored, not decoded; what is learnt from one peer stops at 200; the connection stays.
     * A minute later the peer is heard again, and its dropped contacts free room for new ones.
     */
    @Test
    void aFloodIsIgnoredAndOnePeerTeachesAtMostTwoHundred() throws Exception {
        Link flooder = incoming(true, 7001);
        for (int m = 0; m < 10; m++) flooder.peer().sendPex(contacts(m * 100, 100, List.of()));
        awaitMessages(10);
        assertThat(exchange.messagesReceived()).isEqualTo(6);
        assertThat(exchange.messagesIgnored()).isEqualTo(4);
        assertThat(learnt).hasSize(PeerExchange.MAX_LEARNT_PER_PEER);
        assertThat(flooder.ours().isClosed()).isFalse();

        clock.addAndGet(MINUTE);
        List<InetSocketAddress> forget = learnt.subList(0, 30).stream().map(PexPeer::address).toList();
        List<InetSocketAddress> strangers = List.of(contact(99_999));
        List<InetSocketAddress> dropped = new ArrayList<>(forget);
        dropped.addAll(strangers);
        flooder.peer().sendPex(contacts(5000, 5000, dropped)); // 5,000 more: 100 decoded, 30 kept
        awaitMessages(11);
        assertThat(retracted).as("only what it told us").containsExactlyElementsOf(forget);
        assertThat(learnt).hasSize(PeerExchange.MAX_LEARNT_PER_PEER + 30);
        assertThat(flooder.ours().isClosed()).isFalse();
    }

    @Test
    void aMalformedMessageClosesTheConnection() throws Exception {
        Link liar = incoming(true, 7001);
        liar.peer().sendPex("not bencode".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        awaitClosed(liar.ours());
        assertThat(liar.ours().closeReason()).hasMessageContaining("ut_pex");
    }

    @Test
    void localContactsOnlyFromLocalPeers() throws Exception {
        assertThat(PeerExchange.isLocal(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("192.168.1.9"))).isTrue();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("fd00::1"))).isTrue();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("fe80::1"))).isTrue();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("8.8.8.8"))).isFalse();
        assertThat(PeerExchange.isLocal(InetAddress.getByName("2001:db8::1"))).isFalse();
    }

    private void awaitMessages(long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (exchange.messagesReceived() + exchange.messagesIgnored() < count && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(exchange.messagesReceived() + exchange.messagesIgnored()).isEqualTo(count);
    }

    private static void awaitClosed(PeerConnection c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(c.isClosed()).isTrue();
    }

    /** A loopback contact no one listens on: 127.1.x.y, port 1000 + i % 50000. */
    private static InetSocketAddress contact(int i) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 1, (byte) (i >> 8), (byte) i}), 1000 + i % 50000);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A payload adding {@code count} contacts from {@code first} on, and dropping {@code dropped}. */
    private static byte[] contacts(int first, int count, List<InetSocketAddress> dropped) {
        ByteBuffer added = ByteBuffer.allocate(6 * count);
        for (int i = first; i < first + count; i++) {
            InetSocketAddress a = contact(i);
            added.put(a.getAddress().getAddress()).putShort((short) a.getPort());
        }
        ByteBuffer gone = ByteBuffer.allocate(6 * dropped.size());
        for (InetSocketAddress a : dropped) gone.put(a.getAddress().getAddress()).putShort((short) a.getPort());
        Map<String, Object> dict = new TreeMap<>();
        dict.put("added", added.array());
        dict.put("added.f", new byte[count]);
        dict.put("dropped", gone.array());
        return Bencode.encode(dict);
    }
}
