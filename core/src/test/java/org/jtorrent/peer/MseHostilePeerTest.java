package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.mse.MseHandshake;
import org.jtorrent.mse.MseTestPeer;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile MSE peers against our accept and connect: each handshake ends with an exception that says
 * why (the caller closes the socket), within the handshake timeout, on the caller's own thread.
 */
@Timeout(30)
class MseHostilePeerTest {
    private static final PeerConfig QUICK = PeerConfig.DEFAULT.withTimeouts(Duration.ofMillis(800), Duration.ofSeconds(90),
            Duration.ofSeconds(120));
    private final TestTorrent torrent = TestTorrent.single("t.bin", 4 * 16384, 16384);
    private final IdleHost host = new IdleHost(torrent.metainfo().infoHash(), torrent.metainfo().info().layout());

    @Test
    void garbageInsteadOfAHandshake() throws Exception {
        byte[] garbage = new byte[700];
        new Random(1).nextBytes(garbage);
        garbage[0] = 7; // not 19: an MSE key as far as the first byte says
        long start = System.nanoTime();
        assertThat(accepting(fake -> fake.getOutputStream().write(garbage)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("no req1 hash within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused once 628 bytes held no req1, not at the deadline")
                .isLessThan(Duration.ofMillis(700));
    }

    @Test
    void garbageIsRefusedAtTheFirstByteWhenEncryptionIsDisabled() throws Exception {
        assertThat(accepting(QUICK.withEncryption(EncryptionPolicy.DISABLE), fake -> fake.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not a BitTorrent handshake (first byte 71)");
    }

    @Test
    void aTorrentWeDoNotServe() throws Exception {
        assertThat(accepting(fake -> {
            MseTestPeer peer = new MseTestPeer();
            peer.sendPublicKey(fake.getOutputStream(), 10);
            peer.sendRequest(fake.getInputStream(), fake.getOutputStream(), InfoHash.fromHex("ee".repeat(20)), 3, 0, new byte[0]);
        })).isInstanceOf(ProtocolException.class).hasMessageContaining("no torrent for obfuscated hash");
    }

    @Test
    void padAOver512() throws Exception {
        assertThat(accepting(fake -> {
            MseTestPeer peer = new MseTestPeer();
            peer.sendPublicKey(fake.getOutputStream(), 513);
            peer.sendRequest(fake.getInputStream(), fake.getOutputStream(), host.infoHash(), 3, 0, new byte[0]);
        })).isInstanceOf(ProtocolException.class).hasMessageContaining("no req1 hash within 532 bytes");
    }

    @Test
    void padCOver512() throws Exception {
        assertThat(accepting(fake -> {
            MseTestPeer peer = new MseTestPeer();
            peer.sendPublicKey(fake.getOutputStream(), 0);
            peer.sendRequest(fake.getInputStream(), fake.getOutputStream(), host.infoHash(), 3, 0xffff, new byte[0]);
        })).isInstanceOf(ProtocolException.class).hasMessageContaining("PadC of 65535 bytes, over 512");
    }

    /** Key, pad and half of step 3, then silence: dropped at the one deadline, however far it got. */
    @Test
    void stallMidHandshake() throws Exception {
        long start = System.nanoTime();
        assertThat(accepting(fake -> {
            MseTestPeer peer = new MseTestPeer();
            peer.sendPublicKey(fake.getOutputStream(), 100);
            fake.getInputStream().readNBytes(96);
            fake.getOutputStream().write(new byte[20]); // not even the whole req1 hash
        })).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("no complete handshake within 800 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(3));
    }

    @Test
    void truncatedHandshake() throws Exception {
        assertThat(accepting(fake -> {
            fake.getOutputStream().write(new byte[] {5, 6, 7});
            fake.shutdownOutput();
        })).isInstanceOf(IOException.class).hasMessageContaining("closed while waiting for a public key");
    }

    /** A valid MSE handshake whose IA is not a BitTorrent handshake. */
    @Test
    void encryptedGarbageAfterTheHandshake() throws Exception {
        assertThat(accepting(fake -> {
            MseTestPeer peer = new MseTestPeer();
            peer.sendPublicKey(fake.getOutputStream(), 0);
            peer.sendRequest(fake.getInputStream(), fake.getOutputStream(), host.infoHash(), MseHandshake.CRYPTO_RC4, 0,
                    "GET / HTTP/1.1\r\n".getBytes());
        })).isInstanceOf(ProtocolException.class).hasMessageContaining("not a BitTorrent handshake");
    }

    /** We dial a peer that answers our key with 700 bytes of garbage: no VC found, a protocol error (no plaintext retry). */
    @Test
    void dialledPeerAnswersGarbage() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> fake = CompletableFuture.supplyAsync(() -> {
                int accepted = 0;
                try {
                    server.setSoTimeout(3000);
                    try (Socket s = server.accept()) {
                        accepted++;
                        byte[] garbage = new byte[700];
                        new Random(2).nextBytes(garbage);
                        s.getOutputStream().write(garbage);
                        s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    }
                    try (Socket again = server.accept()) {
                        accepted++;
                    }
                } catch (IOException e) {
                    // no second dial: what we want
                }
                return accepted;
            });
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
            assertThatThrownBy(() -> PeerConnection.connect(address, null, host, QUICK))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("no encrypted VC within 520 bytes");
            assertThat(fake.get(10, TimeUnit.SECONDS)).as("no plaintext retry after a protocol error").isEqualTo(1);
        }
    }

    /** We dial a plaintext-only peer: it drops our key, and the retry in plaintext connects (PREFER). */
    @Test
    void plaintextOnlyPeerIsRetriedInPlaintext() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> fake = CompletableFuture.runAsync(() -> {
                try {
                    try (Socket s = server.accept()) {
                        assertThat(s.getInputStream().read()).isNotEqualTo(19);
                    } // closed at the first byte, as a plaintext-only client does
                    Socket s = server.accept();
                    Handshake theirs = Handshake.read(s.getInputStream());
                    s.getOutputStream().write(new Handshake(theirs.infoHash(), PeerId.random(), true, true).encode());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            PeerConnection c = PeerConnection.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), null, host, QUICK);
            fake.get(5, TimeUnit.SECONDS);
            assertThat(c.encrypted()).isFalse();
            c.close();
        }
    }

    /** With REQUIRE, the same plaintext-only peer is dialled once and refused. */
    @Test
    void plaintextOnlyPeerIsRefusedWhenEncryptionIsRequired() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // done
                }
            });
            assertThatThrownBy(() -> PeerConnection.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), null, host,
                    QUICK.withEncryption(EncryptionPolicy.REQUIRE))).isInstanceOf(IOException.class)
                    .hasMessageContaining("MSE handshake refused");
        }
    }

    interface Script {
        void run(Socket fake) throws Exception;
    }

    private Throwable accepting(Script script) throws Exception {
        return accepting(QUICK, script);
    }

    /** Runs {@code script} as the peer against our accept; returns what accept threw (it must throw). */
    private Throwable accepting(PeerConfig config, Script script) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket fake = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
             SocketChannel accepted = server.accept()) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try {
                    script.run(fake);
                } catch (Exception closedByUs) {
                    // the refusal, seen from the peer
                }
            });
            Throwable thrown = null;
            try {
                PeerConnection.accept(accepted, host, config).close();
            } catch (IOException e) {
                thrown = e;
            }
            assertThat(accepted.isOpen()).as("accept closes what it refuses").isFalse();
            fake.close();
            peer.get(5, TimeUnit.SECONDS);
            assertThat(thrown).as("refused").isNotNull();
            return thrown;
        }
    }
}
