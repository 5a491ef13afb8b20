package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jtorrent.id.PeerId;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.MemoryBudget;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocks queued to peers are charged to the session's memory budget beside partial pieces and
 * read caches: a peer that asks for much and reads nothing holds its send window of the budget
 * until it is dropped, and then every byte of it comes back.
 */
@Timeout(60)
class SendBufferBudgetTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void aStalledPeersSendWindowIsChargedToTheBudgetAndGivenBackWhenItIsDropped() throws Exception {
        TestTorrent t = TestTorrent.single("served.bin", 8 * 1024 * 1024, 256 * 1024);
        t.writeTo(dir);
        SessionConfig config = SessionConfig.defaults()
                .withDisk(DiskResources.Config.DEFAULT.withMemoryBytes(16L << 20))
                .withPeerConfig(PeerConfig.DEFAULT.withWriteLimits(WRITE_TIMEOUT, 1024 * 1024));
        MessageCodec codec = new MessageCodec(t.metainfo().info().pieceCount());
        try (Session session = new Session(config); Socket stalled = new Socket()) {
            session.start();
            session.add(t.metainfo(), TorrentOptions.in(dir)).completion().get(20, TimeUnit.SECONDS);
            MemoryBudget memory = session.disk().memory();
            LongSupplier sendWindows = () -> memory.used() - memory.heapUsed(); // a seeder has no partial pieces

            stalled.setReceiveBufferSize(2048); // whatever we send backs up
            stalled.connect(new InetSocketAddress("127.0.0.1", session.listenPort()));
            OutputStream out = stalled.getOutputStream();
            out.write(new Handshake(t.metainfo().infoHash(), PeerId.random(), false, false).encode());
            DataInputStream in = new DataInputStream(stalled.getInputStream());
            Handshake.read(in);
            out.write(codec.encode(new Message.Interested()));
            while (!(codec.read(in) instanceof Message.Unchoke)) {
                // the bitfield, then the unchoke
            }
            BufferedOutputStream requests = new BufferedOutputStream(out, 64 * 1024);
            for (int b = 0; b < 400; b++) requests.write(codec.encode(new Message.Request(b / 16, b % 16 * 16 * 1024, 16 * 1024)));
            requests.flush(); // and from here on it reads nothing

            long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
            long most = 0;
            while (System.nanoTime() < deadline) {
                most = Math.max(most, sendWindows.getAsLong());
                Thread.sleep(5);
            }
            assertThat(most).as("bytes of the stalled peer's send window in the budget").isGreaterThanOrEqualTo(256 * 1024);

            deadline = System.nanoTime() + WRITE_TIMEOUT.multipliedBy(5).toNanos();
            while (session.connectionCount() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(session.connectionCount()).as("the stalled peer was dropped").isZero();
            assertThat(sendWindows.getAsLong()).as("its send window came back to the budget").isZero();
        }
    }
}
