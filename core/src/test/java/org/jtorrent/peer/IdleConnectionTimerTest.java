package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An idle connection (nothing requested, nothing to write) costs the shared timer nothing until
 * its keep-alive is due: no snub or write check every second. Traffic brings the checks back.
 */
@Timeout(30)
class IdleConnectionTimerTest {
    private final TestTorrent torrent = TestTorrent.single("t.bin", 4 * 16384, 16384);

    @Test
    void anIdleConnectionIsNextCheckedAtItsKeepAliveAndAMessageForItWakesTheTimer() throws Exception {
        IdleHost host = new IdleHost(torrent.metainfo().infoHash(), torrent.metainfo().info().layout());
        MessageCodec codec = new MessageCodec(host.layout().pieceCount());
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket fake = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
             SocketChannel accepted = server.accept()) {
            fake.getOutputStream().write(new Handshake(host.infoHash(), PeerId.random(), false, false).encode());
            PeerConnection connection = PeerConnection.accept(accepted, host, PeerConfig.DEFAULT);
            connection.start();
            DataInputStream in = new DataInputStream(fake.getInputStream());
            Handshake.read(in);
            long keepAlive = PeerConfig.DEFAULT.keepAliveAfter().toNanos();
            long slack = Duration.ofSeconds(10).toNanos();
            await(() -> connection.nextCheckAt() - System.nanoTime() > keepAlive - slack, connection);
            long resting = connection.nextCheckAt();
            assertThat(resting - System.nanoTime()).isLessThanOrEqualTo(keepAlive + Duration.ofSeconds(2).toNanos());

            // A message posted for it pokes the timer, which looks again and, the message written,
            // rests until the keep-alive counted from this write: later than before.
            Thread.sleep(1500);
            connection.pieceVerified(1);
            Message m;
            do {
                m = next(codec, in);
            } while (!(m instanceof Message.Have));
            assertThat(m).isEqualTo(new Message.Have(1));
            await(() -> connection.nextCheckAt() - resting > 0, connection);
            connection.close();
        }
    }

    private static void await(BooleanSupplier done, PeerConnection connection) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("next check in " + (connection.nextCheckAt() - System.nanoTime()) / 1_000_000 + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static Message next(MessageCodec codec, DataInputStream in) throws Exception {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        return codec.decode(ByteBuffer.wrap(frame));
    }
}
