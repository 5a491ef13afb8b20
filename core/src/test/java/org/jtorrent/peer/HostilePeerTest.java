package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fake peer in this JVM misbehaves at a real jtorrent over loopback. Each time: our side closes
 * the connection (the fake reads end-of-stream), nothing unverified reaches the disk, and the
 * download is still alive: its listener completes a fresh, valid handshake afterwards.
 */
@Timeout(30)
class HostilePeerTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = TestTorrent.single("t.bin", 5 * 16384 - 7, 16384); // 5 pieces: 3 spare bits
    private final MessageCodec codec = new MessageCodec(5);

    @Test
    void twoGibLengthPrefix() throws Exception {
        afterHandshake(false, HexFormat.of().parseHex("7fffffff07"), "frame of 2147483647 bytes");
    }

    @Test
    void spareBitfieldBits() throws Exception {
        afterHandshake(false, codec.encode(new Message.Bitfield(new byte[] {(byte) 0xf9})), "spare bits");
    }

    @Test
    void outOfRangeHave() throws Exception {
        afterHandshake(false, codec.encode(new Message.Have(5)), "piece 5 out of range");
    }

    @Test
    void blockNeverRequested() throws Exception {
        afterHandshake(false, codec.encode(new Message.Piece(0, 0, new byte[16384])), "block never requested");
    }

    @Test
    void rejectNeverRequested() throws Exception {
        afterHandshake(true, codec.encode(new Message.RejectRequest(0, 0, 16384)), "reject for a block never requested");
    }

    @Test
    void fastMessageWithoutFast() throws Exception {
        afterHandshake(false, codec.encode(new Message.HaveAll()), "without the Fast extension");
    }

    @Test
    void wrongInfoHashWhenWeDial() throws Exception {
        dialedBy(null, fake -> {
            readHandshake(fake);
            fake.getOutputStream().write(new Handshake(InfoHash.fromHex("ee".repeat(20)), PeerId.random(), true, true).encode());
            assertClosedByUs(fake);
        });
    }

    @Test
    void wrongInfoHashWhenTheyDial() throws Exception {
        try (Download d = Download.start(torrent.metainfo(), DownloadOptions.defaults(dir, List.of()));
             Socket fake = new Socket("127.0.0.1", d.listenPort())) {
            fake.getOutputStream().write(new Handshake(InfoHash.fromHex("ee".repeat(20)), PeerId.random(), true, true).encode());
            assertThat(readUntilClosed(fake)).as("not even our handshake is sent").isEmpty();
            assertStillServing(d);
        }
    }

    /**
     * What the peer sent before it closed. We read a handshake no further than its first bad byte,
     * so the close may find the rest unread, and then TCP resets the connection instead of ending it.
     */
    private static byte[] readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(got);
        } catch (SocketException e) {
            assertThat(e).hasMessageContaining("reset");
        }
        return got.toByteArray();
    }

    /**
     * With encryption disabled a garbage handshake is refused at its first byte. (Otherwise the first
     * byte may start an MSE key: see MseHostilePeerTest for garbage under the default policy.)
     */
    @Test
    void garbageHandshakeClosesAtOnce() throws Exception {
        DownloadOptions plaintextOnly = DownloadOptions.defaults(dir, List.of());
        plaintextOnly = plaintextOnly.withPeerConfig(plaintextOnly.peer().withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE));
        try (Download d = Download.start(torrent.metainfo(), plaintextOnly);
             Socket fake = new Socket("127.0.0.1", d.listenPort())) {
            long start = System.nanoTime();
            fake.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes());
            assertThat(readUntilClosed(fake)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no wait for the handshake timeout")
                    .isLessThan(Duration.ofSeconds(2));
            assertStillServing(d);
        }
    }

    @Test
    void silentPeerIsDroppedAfterTheIdleTimeoutAndGetsKeepAlivesBefore() throws Exception {
        PeerConfig quick = PeerConfig.DEFAULT.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(1500));
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            DownloadOptions base = DownloadOptions.defaults(dir, List.of(new InetSocketAddress("127.0.0.1", server.getLocalPort())));
            DownloadOptions opts = base.withPeerConfig(quick.withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE)); // the fake speaks plaintext only
            try (Download d = Download.start(torrent.metainfo(), opts); Socket fake = server.accept()) {
                readHandshake(fake);
                fake.getOutputStream().write(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), false, false).encode());
                long start = System.nanoTime();
                DataInputStream in = new DataInputStream(fake.getInputStream());
                int keepAlives = 0;
                try {
                    while (true) if (in.readInt() == 0) keepAlives++;
                } catch (IOException closed) {
                    // expected: dropped for silence
                }
                assertThat(keepAlives).isGreaterThanOrEqualTo(2);
                // The socket closes before the engine forgets the connection: give it a moment.
                long forgetDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (!d.torrent().connections().isEmpty() && System.nanoTime() < forgetDeadline) Thread.sleep(10);
                assertThat(d.torrent().connections()).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void peerThatConnectsAndSaysNothingIsDroppedAfterTheHandshakeTimeout() throws Exception {
        PeerConfig quick = PeerConfig.DEFAULT.withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(90), Duration.ofSeconds(120));
        DownloadOptions base = DownloadOptions.defaults(dir, List.of());
        DownloadOptions opts = base.withPeerConfig(quick);
        try (Download d = Download.start(torrent.metainfo(), opts); Socket mute = new Socket("127.0.0.1", d.listenPort())) {
            long start = System.nanoTime();
            mute.setSoTimeout(5000);
            assertThat(mute.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
            assertStillServing(d);
        }
    }

    /**
     * More sockets than there are handshake slots, each sending a byte of its handshake every 300 ms:
     * a timeout per read (1 s) would never fire, and 68 bytes would hold a slot for 20 s. With one
     * deadline for the whole handshake every slot is free again after 1 s, and an honest peer that
     * connects behind them completes its handshake within about that (it waits in the backlog).
     */
    @Test
    void slowDripHandshakesDoNotLockHonestPeersOut() throws Exception {
        PeerConfig quick = PeerConfig.DEFAULT.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(90), Duration.ofSeconds(120));
        List<Socket> drips = new java.util.ArrayList<>();
        try (Download d = Download.start(torrent.metainfo(), DownloadOptions.defaults(dir, List.of()).withPeerConfig(quick))) {
            for (int i = 0; i < 70; i++) drips.add(new Socket("127.0.0.1", d.listenPort()));
            byte[] handshake = new Handshake(torrent.metainfo().infoHash(), PeerId.random(), true, true).encode();
            Thread dripper = Thread.ofVirtual().start(() -> {
                for (int at = 0; at < handshake.length - 1 && !Thread.currentThread().isInterrupted(); at++) {
                    for (Socket s : drips) {
                        try {
                            s.getOutputStream().write(handshake[at]);
                        } catch (IOException closedByThem) {
                            // what the deadline does
                        }
                    }
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                Thread.sleep(500); // every slot taken
                long start = System.nanoTime();
                try (Socket honest = new Socket("127.0.0.1", d.listenPort())) {
                    honest.setSoTimeout(10_000);
                    honest.getOutputStream().write(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), true, true).encode());
                    Handshake ours = Handshake.read(honest.getInputStream());
                    assertThat(ours.infoHash()).isEqualTo(torrent.metainfo().infoHash());
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the honest peer waited about one handshake timeout")
                        .isLessThan(Duration.ofSeconds(4));
            } finally {
                dripper.interrupt();
                for (Socket s : drips) s.close();
            }
        }
    }

    /** A peer we dial that trickles its handshake a byte at a time is dropped at the handshake deadline. */
    @Test
    void dialledPeerThatDripsItsHandshakeIsDroppedAtTheDeadline() throws Exception {
        PeerConfig quick = PeerConfig.DEFAULT.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(90), Duration.ofSeconds(120));
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            DownloadOptions opts = DownloadOptions.defaults(dir, List.of(new InetSocketAddress("127.0.0.1", server.getLocalPort())))
                    .withPeerConfig(quick.withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE)); // the fake speaks plaintext only
            try (Download d = Download.start(torrent.metainfo(), opts); Socket fake = server.accept()) {
                readHandshake(fake);
                long start = System.nanoTime();
                byte[] theirs = new Handshake(torrent.metainfo().infoHash(), PeerId.random(), false, false).encode();
                OutputStream out = fake.getOutputStream();
                boolean dropped = false;
                for (int at = 0; at < theirs.length && !dropped; at++) {
                    try {
                        out.write(theirs[at]);
                        Thread.sleep(300);
                    } catch (SocketException closedByUs) {
                        dropped = true;
                    }
                    if (Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(4)) > 0) break;
                }
                assertThat(dropped).as("dropped within 4 s of a 1 s handshake deadline").isTrue();
            }
        }
    }

    // ---- helpers ----

    interface FakeScript {
        void run(Socket fake) throws Exception;
    }

    /** We dial the fake peer, which answers the handshake and then sends {@code hostile}. */
    private void afterHandshake(boolean fast, byte[] hostile, String reason) throws Exception {
        dialedBy(reason, fake -> {
            readHandshake(fake);
            OutputStream out = fake.getOutputStream();
            out.write(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), fast, false).encode());
            out.write(hostile);
            out.flush();
            assertClosedByUs(fake);
        });
    }

    private void dialedBy(String reason, FakeScript script) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            DownloadOptions opts = DownloadOptions.defaults(dir, List.of(new InetSocketAddress("127.0.0.1", server.getLocalPort())));
            opts = opts.withPeerConfig(opts.peer().withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE)); // the fake speaks plaintext only
            try (Download d = Download.start(torrent.metainfo(), opts)) {
                try (Socket fake = server.accept()) {
                    script.run(fake);
                }
                if (reason != null) awaitCloseReason(d, reason);
                assertThat(d.torrent().verifiedBytes()).isZero();
                assertThat(Files.exists(dir.resolve("t.bin"))).as("nothing written").isFalse();
                assertStillServing(d);
            }
        }
    }

    private static void awaitCloseReason(Download d, String reason) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (d.torrent().summaries().stream().anyMatch(p -> p.closedBecause().contains(reason))) return;
            Thread.sleep(20);
        }
        assertThat(d.torrent().summaries()).as("closed because of " + reason).anyMatch(p -> p.closedBecause().contains(reason));
    }

    private static void readHandshake(Socket fake) throws IOException {
        byte[] theirs = fake.getInputStream().readNBytes(Handshake.LENGTH);
        Handshake.decode(theirs);
    }

    /** Reads whatever we still send until end-of-stream: our side must close within seconds. */
    private static void assertClosedByUs(Socket fake) throws IOException {
        fake.setSoTimeout(5000);
        InputStream in = fake.getInputStream();
        try {
            while (in.read(new byte[4096]) >= 0) {
                // drain our greeting
            }
        } catch (java.net.SocketException reset) {
            // a reset is a close too
        }
    }

    private void assertStillServing(Download d) throws IOException {
        try (Socket probe = new Socket("127.0.0.1", d.listenPort())) {
            probe.setSoTimeout(5000);
            probe.getOutputStream().write(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), true, true).encode());
            Handshake ours = Handshake.read(probe.getInputStream());
            assertThat(ours.infoHash()).isEqualTo(torrent.metainfo().infoHash());
            assertThat(ours.fast()).isTrue();
            assertThat(ours.extension()).isTrue();
        }
    }
}
