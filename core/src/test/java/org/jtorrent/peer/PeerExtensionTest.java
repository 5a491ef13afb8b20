package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.Message.Extended;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The BEP 10 registry: our extensions advertised under their ids, messages routed to them, replies under the peer's ids. */
@Timeout(20)
class PeerExtensionTest {
    private final TestTorrent torrent = TestTorrent.single("t.bin", 4 * 16384, 16384);

    /** Echoes every message back, upper-cased, and records what it saw. */
    private static final class Echo implements PeerExtension {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "x_echo";
        }

        @Override
        public int localId() {
            return 7;
        }

        @Override
        public void handshake(PeerConnection from, ExtensionHandshake theirs) {
            seen.add("handshake " + from.peerSupports("x_echo"));
        }

        @Override
        public void received(PeerConnection from, byte[] payload) throws IOException {
            String text = new String(payload, StandardCharsets.US_ASCII);
            seen.add(text);
            from.sendExtended("x_echo", text.toUpperCase().getBytes(StandardCharsets.US_ASCII));
            assertThat(from.sendExtended("x_unknown", payload)).isFalse();
        }

        @Override
        public void closed(PeerConnection connection) {
            seen.add("closed");
        }
    }

    @Test
    void advertisesRoutesAndAnswersUnderThePeersIds() throws Exception {
        Echo echo = new Echo();
        IdleHost host = new IdleHost(torrent.metainfo().infoHash(), torrent.metainfo().info().layout(), List.of(echo));
        MessageCodec codec = new MessageCodec(host.layout().pieceCount());
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket fake = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
             SocketChannel accepted = server.accept()) {
            fake.getOutputStream().write(new Handshake(host.infoHash(), PeerId.random(), true, true).encode());
            PeerConnection connection = PeerConnection.accept(accepted, host, PeerConfig.DEFAULT);
            connection.start();
            DataInputStream in = new DataInputStream(fake.getInputStream());
            Handshake.read(in);
            Extended ours = (Extended) next(codec, in);
            ExtensionHandshake decoded = ExtensionHandshake.decode(ours.payload());
            assertThat(decoded.extensions()).containsEntry("x_echo", 7);
            assertThat(decoded.yourIp()).as("the peer's address as we see it").contains(fake.getLocalAddress());

            ExtensionHandshake theirs = new ExtensionHandshake(Optional.empty(), 100, 0, Map.of("x_echo", 42));
            write(codec, fake, new Extended(0, theirs.encode()));
            write(codec, fake, new Extended(7, "hello".getBytes(StandardCharsets.US_ASCII)));
            write(codec, fake, new Extended(9, "not ours".getBytes(StandardCharsets.US_ASCII))); // skipped
            Message reply;
            do {
                reply = next(codec, in);
            } while (!(reply instanceof Extended));
            assertThat(((Extended) reply).id()).isEqualTo(42);
            assertThat(new String(((Extended) reply).payload(), StandardCharsets.US_ASCII)).isEqualTo("HELLO");
            assertThat(echo.seen).containsExactly("handshake true", "hello");

            // BEP 10: a later handshake updates the first; what it leaves out stays, 0 disables.
            write(codec, fake, new Extended(0, new ExtensionHandshake(Optional.empty(), 100, 0, Map.of("x_more", 3)).encode()));
            awaitTrue(() -> connection.peerSupports("x_more"));
            assertThat(connection.peerSupports("x_echo")).as("left out of the update: unchanged").isTrue();
            write(codec, fake, new Extended(0, new ExtensionHandshake(Optional.empty(), 100, 0, Map.of("x_echo", 0)).encode()));
            awaitTrue(() -> !connection.peerSupports("x_echo"));
            assertThat(connection.peerSupports("x_more")).isTrue();
            connection.close();
            assertThat(echo.seen).endsWith("closed");
        }
    }

    @Test
    void refusesTwoExtensionsUnderOneId() throws Exception {
        IdleHost host = new IdleHost(torrent.metainfo().infoHash(), torrent.metainfo().info().layout(), List.of(new Echo(), new Echo()));
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket fake = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
             SocketChannel accepted = server.accept()) {
            fake.getOutputStream().write(new Handshake(host.infoHash(), PeerId.random(), true, true).encode());
            assertThatThrownBy(() -> PeerConnection.accept(accepted, host, PeerConfig.DEFAULT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void write(MessageCodec codec, Socket socket, Message m) throws IOException {
        socket.getOutputStream().write(codec.encode(m));
    }

    private static Message next(MessageCodec codec, DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        return codec.decode(ByteBuffer.wrap(frame));
    }
}
