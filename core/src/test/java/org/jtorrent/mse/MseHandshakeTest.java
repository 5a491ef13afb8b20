package org.jtorrent.mse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.id.InfoHash;
import org.jtorrent.wire.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(20)
class MseHandshakeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final InfoHash TORRENT = InfoHash.fromHex("12".repeat(20));

    @Test
    void bothSidesAgreeOnTheSecretAndOnlyThey() throws Exception {
        DiffieHellman a = new DiffieHellman(RANDOM);
        DiffieHellman b = new DiffieHellman(RANDOM);
        DiffieHellman eve = new DiffieHellman(RANDOM);
        assertThat(a.publicKey()).hasSize(96);
        byte[] s = a.sharedSecret(b.publicKey());
        assertThat(s).hasSize(96).isEqualTo(b.sharedSecret(a.publicKey()));
        assertThat(eve.sharedSecret(a.publicKey())).isNotEqualTo(s);
        // The secret is Yb^Xa mod P with the spec's prime, and Ya = 2^Xa mod P.
        BigInteger xa = privateOf(a);
        assertThat(new BigInteger(1, a.publicKey())).isEqualTo(BigInteger.TWO.modPow(xa, DiffieHellman.P));
        assertThat(new BigInteger(1, s)).isEqualTo(new BigInteger(1, b.publicKey()).modPow(xa, DiffieHellman.P));
        assertThat(xa.bitLength()).isGreaterThanOrEqualTo(DiffieHellman.PRIVATE_BITS - 8);
    }

    private static BigInteger privateOf(DiffieHellman dh) throws Exception {
        java.lang.reflect.Field f = DiffieHellman.class.getDeclaredField("privateKey");
        f.setAccessible(true);
        return (BigInteger) f.get(dh);
    }

    @Test
    void degeneratePublicKeysAreRefused() {
        DiffieHellman a = new DiffieHellman(RANDOM);
        for (BigInteger bad : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, DiffieHellman.P.subtract(BigInteger.ONE), DiffieHellman.P}) {
            assertThatThrownBy(() -> a.sharedSecret(DiffieHellman.toKeyBytes(bad))).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("degenerate");
        }
    }

    /** Our initiator against our responder for each pair of policies: which method wins, and the streams after it. */
    @ParameterizedTest
    @CsvSource({"PREFER,PREFER,1", "PREFER,REQUIRE,2", "REQUIRE,PREFER,2", "REQUIRE,REQUIRE,2", "PREFER,DISABLE,0", "REQUIRE,DISABLE,0"})
    void initiatorAgainstResponder(EncryptionPolicy initiator, EncryptionPolicy responder, int expected) throws Exception {
        byte[] ia = "the initiator's handshake, as IA".getBytes();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket a = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket b = server.accept()) {
            CompletableFuture<MseHandshake.Result> responding = CompletableFuture.supplyAsync(() -> {
                try {
                    return MseHandshake.respond(b.getInputStream(), b.getOutputStream(),
                            h -> h.equals(ObfuscatedHash.of(TORRENT)) ? TORRENT : null, responder, RANDOM);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                } finally {
                    if (expected == 0) closeQuietly(b);
                }
            });
            if (expected == 0) {
                assertThatThrownBy(() -> MseHandshake.initiate(a.getInputStream(), a.getOutputStream(), TORRENT,
                        initiator.provide(), ia, RANDOM)).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> responding.get(5, TimeUnit.SECONDS)).hasMessageContaining("accepts none");
                return;
            }
            MseHandshake.Result ours = MseHandshake.initiate(a.getInputStream(), a.getOutputStream(), TORRENT,
                    initiator.provide(), ia, RANDOM);
            MseHandshake.Result theirs = responding.get(5, TimeUnit.SECONDS);
            assertThat(ours.selected()).isEqualTo(expected);
            assertThat(theirs.selected()).isEqualTo(expected);
            assertThat(theirs.infoHash()).isEqualTo(TORRENT);
            assertThat(ours.rc4()).isEqualTo(expected == MseHandshake.CRYPTO_RC4);

            // The responder reads the IA, then whatever follows, through its input; and back.
            ours.output(a.getOutputStream()).write("then the stream".getBytes());
            InputStream atB = theirs.input(b.getInputStream());
            assertThat(new String(new DataInputStream(atB).readNBytes(ia.length + 15))).isEqualTo(new String(ia) + "then the stream");
            theirs.output(b.getOutputStream()).write("answer".getBytes());
            assertThat(new String(new DataInputStream(ours.input(a.getInputStream())).readNBytes(6))).isEqualTo("answer");
            if (expected == MseHandshake.CRYPTO_PLAINTEXT) {
                // After the IA the bytes are plaintext on the wire: read raw, they are what was sent.
                a.getOutputStream().write("raw".getBytes());
                assertThat(new String(b.getInputStream().readNBytes(3))).isEqualTo("raw");
            } else {
                ours.output(a.getOutputStream()).write("raw".getBytes());
                assertThat(new String(b.getInputStream().readNBytes(3))).as("encrypted on the wire").isNotEqualTo("raw");
            }
        }
    }

    @Test
    void aTorrentWeDoNotServeIsRefused() throws Exception {
        assertThatThrownBy(() -> scriptedAgainstResponder(InfoHash.fromHex("34".repeat(20)), 0, 0, MseHandshake.CRYPTO_RC4))
                .hasMessageContaining("no torrent for obfuscated hash");
    }

    @Test
    void padCOver512IsRefused() {
        assertThatThrownBy(() -> scriptedAgainstResponder(TORRENT, 0, 513, MseHandshake.CRYPTO_RC4))
                .hasMessageContaining("PadC of 513 bytes, over 512");
    }

    @Test
    void padAOf512IsFoundAndOver512IsNot() throws Exception {
        assertThat(scriptedAgainstResponder(TORRENT, 512, 512, MseHandshake.CRYPTO_RC4).selected()).isEqualTo(MseHandshake.CRYPTO_RC4);
        assertThatThrownBy(() -> scriptedAgainstResponder(TORRENT, 513, 0, MseHandshake.CRYPTO_RC4))
                .hasMessageContaining("no req1 hash within 532 bytes");
    }

    @Test
    void aProvideWithoutAnythingWeSpeakIsRefused() {
        assertThatThrownBy(() -> scriptedAgainstResponder(TORRENT, 0, 0, 0x08)).hasMessageContaining("accepts none");
    }

    /** A scripted initiator against our responder (policy PREFER); the responder's result or its failure. */
    private static MseHandshake.Result scriptedAgainstResponder(InfoHash asked, int padA, int padC, int provide) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket a = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket b = server.accept()) {
            CompletableFuture<Void> script = CompletableFuture.runAsync(() -> {
                try {
                    MseTestPeer peer = new MseTestPeer();
                    peer.sendPublicKey(a.getOutputStream(), padA);
                    peer.sendRequest(a.getInputStream(), a.getOutputStream(), asked, provide, padC, new byte[0]);
                } catch (IOException closedByResponder) {
                    // what a refusal looks like from here
                }
            });
            try {
                return MseHandshake.respond(b.getInputStream(), b.getOutputStream(),
                        h -> h.equals(ObfuscatedHash.of(TORRENT)) ? TORRENT : null, EncryptionPolicy.PREFER, RANDOM);
            } finally {
                b.close();
                script.get(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Our initiator against a scripted responder that answers {@code select} and a PadD of {@code padD} bytes. */
    private static MseHandshake.Result initiateAgainstScript(int provide, int select, int padD) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket a = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket b = server.accept()) {
            CompletableFuture<Void> script = CompletableFuture.runAsync(() -> {
                try {
                    DataInputStream in = new DataInputStream(b.getInputStream());
                    DiffieHellman dh = new DiffieHellman(RANDOM);
                    byte[] s = dh.sharedSecret(in.readNBytes(DiffieHellman.KEY_LENGTH));
                    b.getOutputStream().write(dh.publicKey());
                    MseHandshake.synchronize(in, MseHashes.sha1(MseHashes.REQ1, s), "req1");
                    in.readNBytes(20);
                    Rc4 encrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_B, s, TORRENT.bytes()));
                    byte[] step4 = java.nio.ByteBuffer.allocate(8 + 4 + 2).put(new byte[8]).putInt(select).putShort((short) padD).array();
                    encrypt.apply(step4);
                    b.getOutputStream().write(step4);
                    b.getOutputStream().write(new byte[Math.min(padD, 600)]);
                    in.transferTo(OutputStream.nullOutputStream()); // until the initiator hangs up
                } catch (IOException e) {
                    // the initiator hung up
                }
            });
            try {
                return MseHandshake.initiate(a.getInputStream(), a.getOutputStream(), TORRENT, provide, new byte[68], RANDOM);
            } finally {
                a.close();
                script.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theInitiatorChecksWhatTheResponderSelectsAndItsPad() throws Exception {
        assertThat(initiateAgainstScript(3, MseHandshake.CRYPTO_RC4, 512).rc4()).isTrue();
        assertThatThrownBy(() -> initiateAgainstScript(MseHandshake.CRYPTO_RC4, MseHandshake.CRYPTO_PLAINTEXT, 0))
                .hasMessageContaining("peer selected crypto 1, we offered 2");
        assertThatThrownBy(() -> initiateAgainstScript(3, 3, 0)).hasMessageContaining("peer selected crypto 3");
        assertThatThrownBy(() -> initiateAgainstScript(3, MseHandshake.CRYPTO_RC4, 513)).hasMessageContaining("PadD of 513 bytes, over 512");
    }

    /** The pattern after 0 to 512 bytes is found, the byte after it left unread; after 513 it is not looked for. */
    @Test
    void synchronizeReadsNothingPastThePattern() throws Exception {
        byte[] pattern = {1, 1, 2, 1, 1, 2, 1, 3}; // overlaps itself: a naive skip would miss matches
        for (int pad : new int[] {0, 1, 3, 7, 100, 511, 512}) {
            byte[] pre = new byte[pad];
            Arrays.fill(pre, (byte) 1);
            if (pad > 2) pre[pad - 3] = 2; // "1 1 2 1 1 2 1" just before the real match: partial matches to skip
            InputStream in = new ByteArrayInputStream(concat(pre, pattern, new byte[] {42}));
            MseHandshake.synchronize(in, pattern, "test");
            assertThat(in.read()).as("pad " + pad).isEqualTo(42);
        }
        InputStream tooFar = new ByteArrayInputStream(concat(new byte[513], pattern));
        assertThatThrownBy(() -> MseHandshake.synchronize(tooFar, pattern, "test")).hasMessageContaining("no test within 520 bytes");
    }

    @Test
    void endOfStreamDuringTheHandshakeSaysWhatWasAwaited() {
        assertThatThrownBy(() -> MseHandshake.respond(new ByteArrayInputStream(new byte[40]), OutputStream.nullOutputStream(),
                h -> TORRENT, EncryptionPolicy.PREFER, RANDOM)).hasMessageContaining("closed while waiting for a public key");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
