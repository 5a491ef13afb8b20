package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.TransferLimits;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections cost no platform thread while idle. Before, each had a platform reader and a
 * platform writer (and two virtual threads): 200 peers were 400 platform threads, 2,000 were 4,000
 * (docs/performance.md). Now the platform threads of the process stay a handful whatever the
 * number of idle connections, and every connection still answers at once.
 */
@Timeout(60)
class ConnectionScalingTest {
    private static final int PEERS = 200;
    /** The shared timer thread, and room for the JVM's own that may start meanwhile (JIT, GC). */
    private static final int MORE_PLATFORM_THREADS_AT_MOST = 20;

    @TempDir
    Path dir;

    @Test
    void twoHundredIdleConnectionsAddNoPlatformThreadsAndEachIsServed() throws Exception {
        TestTorrent t = TestTorrent.single("many.bin", 1024 * 1024, 64 * 1024);
        t.writeTo(dir);
        MessageCodec codec = new MessageCodec(t.metainfo().info().pieceCount());
        TransferLimits everyoneUnchoked = TransferLimits.DEFAULT.withChoker(TransferLimits.DEFAULT.choker().withSlots(PEERS));
        List<Socket> sockets = new ArrayList<>();
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir, List.of())
                .withMaxPeers(PEERS + 10).withLimits(everyoneUnchoked))) {
            int before = ManagementFactory.getThreadMXBean().getThreadCount(); // live platform threads
            for (int i = 0; i < PEERS; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", seed.listenPort()));
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new Handshake(t.metainfo().infoHash(), PeerId.random(), false, false).encode());
                Handshake.read(s.getInputStream());
                assertThat(codec.read(new DataInputStream(s.getInputStream()))).isInstanceOf(Message.Bitfield.class);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seed.torrent().connectionCount() < PEERS && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(seed.torrent().connectionCount()).isEqualTo(PEERS);
            Thread.sleep(300); // let whatever the connections start, start
            int idle = ManagementFactory.getThreadMXBean().getThreadCount();
            assertThat(idle - before).as("platform threads added by %d idle connections", PEERS)
                    .isLessThanOrEqualTo(MORE_PLATFORM_THREADS_AT_MOST);

            // Each is alive: interested, unchoked, and a block it asks for arrives byte-exact.
            for (Socket s : sockets) s.getOutputStream().write(codec.encode(new Message.Interested()));
            for (int i = 0; i < PEERS; i++) {
                Socket s = sockets.get(i);
                DataInputStream in = new DataInputStream(s.getInputStream());
                while (!(codec.read(in) instanceof Message.Unchoke)) {
                    // nothing else is due, but a have or keep-alive would be fine
                }
                int piece = i % t.metainfo().info().pieceCount();
                OutputStream out = s.getOutputStream();
                out.write(codec.encode(new Message.Request(piece, 16 * 1024, 16 * 1024)));
                Message m;
                while (!((m = codec.read(in)) instanceof Message.Piece)) {
                    // skip
                }
                Message.Piece p = (Message.Piece) m;
                assertThat(p.piece()).isEqualTo(piece);
                byte[] expected = Arrays.copyOfRange(t.piece(piece), 16 * 1024, 32 * 1024);
                assertThat(p.data()).isEqualTo(expected);
            }
        } finally {
            for (Socket s : sockets) s.close();
        }
    }

    /**
     * A busy connection moves its loops to platform threads (the 1 GiB single-peer path depends on
     * it, docs/wire.md), the transfer is byte-exact across the moves, and every platform thread is
     * given back to the budget once the connections close.
     */
    @Test
    void aBusyConnectionTakesPlatformThreadsAndGivesThemBack() throws Exception {
        TestTorrent t = TestTorrent.single("busy.bin", 16 * 1024 * 1024, 256 * 1024);
        t.writeTo(dir.resolve("seed"));
        long promotionsBefore = ThreadPace.promotions();
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()));
             Download leech = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("leech"),
                     List.of(new InetSocketAddress("127.0.0.1", seed.listenPort()))))) {
            assertThat(leech.awaitComplete(Duration.ofSeconds(30))).as("complete: " + leech.result().toJson()).isTrue();
        }
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve("leech/busy.bin"))).isEqualTo(t.content());
        assertThat(ThreadPace.promotions() - promotionsBefore).as("loops moved to platform threads").isPositive();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ThreadPace.platformLeft() < ThreadPace.PLATFORM_THREADS && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(ThreadPace.platformLeft()).as("every platform thread back in the budget").isEqualTo(ThreadPace.PLATFORM_THREADS);
    }
}
