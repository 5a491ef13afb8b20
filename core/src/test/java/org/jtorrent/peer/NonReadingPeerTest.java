package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers that stop reading, with a receive window of a couple of kilobytes: whatever we send them
 * backs up. Each is dropped soon after its writes stop making progress (or its unwritten messages
 * pass the bound), and the transfer running beside it, with an honest peer, completes. Before the
 * outbound queue, the connection's reader waited in a write while holding the connection's lock, the
 * timer waited for that lock before it looked at any timeout, and every engine thread that touched
 * the connection (have, choke, refill) waited behind them: the peer was never dropped and a download
 * beside it could stall for good.
 */
@Timeout(60)
class NonReadingPeerTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    /** Well beyond the write timeout and the test: only the write deadline or the queue bound can drop these peers. */
    private static final PeerConfig CONFIG = PeerConfig.DEFAULT
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(90), Duration.ofSeconds(120))
            .withWriteLimits(WRITE_TIMEOUT, 1024 * 1024);

    @TempDir
    Path dir;

    /**
     * A Fast peer connects to a leecher that has nothing yet and sends 8 MB of requests without
     * reading: each gets a reject, 17 bytes that it never reads. The leecher gets its data from an
     * honest seeder meanwhile.
     */
    @Test
    void aFastPeerThatFloodsRequestsAndNeverReadsIsDroppedAndTheDownloadBesideItCompletes() throws Exception {
        TestTorrent t = TestTorrent.single("beside.bin", 4 * 1024 * 1024, 64 * 1024);
        t.writeTo(dir.resolve("seed"));
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()));
             Download leech = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("leech"), List.of())
                     .withPeerConfig(CONFIG));
             Socket hostile = tinyWindowSocket()) {
            hostile.connect(new InetSocketAddress("127.0.0.1", leech.listenPort()));
            OutputStream out = new BufferedOutputStream(hostile.getOutputStream(), 64 * 1024);
            out.write(new Handshake(t.metainfo().infoHash(), PeerId.random(), true, false).encode());
            MessageCodec codec = new MessageCodec(t.metainfo().info().pieceCount());
            byte[] request = codec.encode(new Message.Request(0, 0, 16 * 1024));
            AtomicLong flooded = new AtomicLong();
            Thread flood = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 8 * 1024 * 1024 / request.length; i++) {
                        out.write(request);
                        flooded.addAndGet(request.length);
                    }
                    out.flush();
                } catch (IOException dropped) {
                    // what we expect, sooner or later
                }
            });
            long start = System.nanoTime();
            awaitFlooded(flooded, 512 * 1024, flood);
            leech.addPeers(List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));

            assertThat(leech.awaitComplete(Duration.ofSeconds(20))).as("complete: " + leech.result().toJson()).isTrue();
            assertThat(Files.readAllBytes(dir.resolve("leech/beside.bin"))).isEqualTo(t.content());
            awaitDropped(leech, hostile, start);
            assertThat(leech.result().peers()).anyMatch(p -> p.closedBecause().contains("not reading"));
            flood.join(5000);
        }
    }

    /**
     * A leecher asks a seeder for 8 MB and then reads nothing: the pieces back up behind our write,
     * which makes no progress, and the peer is dropped at the write deadline. An honest leecher of
     * the same seeder completes.
     */
    @Test
    void aLeecherThatStopsReadingIsDroppedAtTheWriteDeadlineAndTheSeederServesTheOthers() throws Exception {
        TestTorrent t = TestTorrent.single("served.bin", 8 * 1024 * 1024, 256 * 1024);
        t.writeTo(dir.resolve("seed"));
        MessageCodec codec = new MessageCodec(t.metainfo().info().pieceCount());
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of())
                .withPeerConfig(CONFIG));
             Socket hostile = tinyWindowSocket()) {
            hostile.connect(new InetSocketAddress("127.0.0.1", seed.listenPort()));
            hostile.setSoTimeout(5000);
            OutputStream out = hostile.getOutputStream();
            out.write(new Handshake(t.metainfo().infoHash(), PeerId.random(), false, false).encode());
            DataInputStream in = new DataInputStream(hostile.getInputStream());
            Handshake.read(in);
            out.write(codec.encode(new Message.Interested()));
            while (!(codec.read(in) instanceof Message.Unchoke)) {
                // the bitfield, then the unchoke: the choker has a free slot
            }
            BufferedOutputStream requests = new BufferedOutputStream(out, 64 * 1024);
            int blocks = 8 * 1024 * 1024 / (16 * 1024);
            for (int b = 0; b < Math.min(blocks, PeerConfig.DEFAULT.ourReqq()); b++) {
                requests.write(codec.encode(new Message.Request(b / 16, b % 16 * 16 * 1024, 16 * 1024)));
            }
            requests.flush();
            long start = System.nanoTime(); // from here on it reads nothing

            Path leechDir = dir.resolve("leech");
            try (Download honest = Download.start(t.metainfo(), DownloadOptions.defaults(leechDir,
                    List.of(new InetSocketAddress("127.0.0.1", seed.listenPort()))))) {
                awaitDropped(seed, hostile, start);
                assertThat(seed.result().peers()).anyMatch(p -> p.closedBecause().contains("a write made no progress"));
                assertThat(honest.awaitComplete(Duration.ofSeconds(20))).as("complete: " + honest.result().toJson()).isTrue();
            }
            assertThat(Files.readAllBytes(leechDir.resolve("served.bin"))).isEqualTo(t.content());
        }
    }

    /** A socket whose receive window is as small as the kernel allows (set before connecting). */
    private static Socket tinyWindowSocket() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(2048);
        return s;
    }

    private static void awaitFlooded(AtomicLong flooded, long bytes, Thread flood) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flooded.get() < bytes && flood.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
    }

    /** Waits until {@code d} no longer has the hostile socket's connection: within a few write timeouts of {@code start}. */
    private static void awaitDropped(Download d, Socket hostile, long start) throws InterruptedException {
        String address = String.valueOf(hostile.getLocalSocketAddress());
        long deadline = start + WRITE_TIMEOUT.multipliedBy(5).toNanos();
        while (isConnected(d, address) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(isConnected(d, address)).as("the peer that stopped reading is still connected after "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms").isFalse();
        assertThat(d.result().peers()).as("it was connected").anyMatch(p -> p.address().equals(address));
    }

    private static boolean isConnected(Download d, String address) {
        return d.torrent().connections().stream().anyMatch(c -> String.valueOf(c.address()).equals(address));
    }
}
