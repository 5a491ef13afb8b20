package org.jtorrent.mse;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Function;
import org.jtorrent.id.InfoHash;
import org.jtorrent.wire.ProtocolException;

/**
 * The Message Stream Encryption handshake (MSE/PE, as libtorrent, Transmission, rtorrent, aria2 and
 * Vuze speak it), both roles, as blocking code over a connection's streams:
 *
 * <pre>
 * 1 A->B: Ya, PadA
 * 2 B->A: Yb, PadB
 * 3 A->B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *         ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 * 4 B->A: ENCRYPT(VC, crypto_select, len(PadD), PadD), ENCRYPT2(payload)
 * 5 A->B: ENCRYPT2(payload)
 * </pre>
 *
 * S is the Diffie-Hellman secret, SKEY the info-hash, VC eight zero bytes; A encrypts with
 * RC4(HASH('keyA', S, SKEY)) and B with RC4(HASH('keyB', S, SKEY)), each with its first 1024 bytes
 * of keystream dropped. ENCRYPT2 is RC4 again or plaintext, as B selected. Pads are random, 0 to
 * 512 bytes; a peer that announces a longer one is refused. B finds HASH('req1', S) within the 512
 * bytes after Ya that PadA may take, A finds ENCRYPT(VC) within the 512 after Yb; neither reads a
 * byte past what the protocol defines, so the streams hold nothing of the payload when this returns.
 *
 * <p>The caller bounds the whole exchange with one deadline (its input stream's); everything read
 * here is of fixed size or bounded by 512 bytes: nothing is allocated in proportion to what the
 * peer claims.
 */
public final class MseHandshake {
    public static final int CRYPTO_PLAINTEXT = 0x01;
    public static final int CRYPTO_RC4 = 0x02;
    /** The largest pad (PadA, PadB, PadC, PadD) we send or accept. */
    public static final int MAX_PAD = 512;
    private static final int VC_LENGTH = 8;
    private static final int HASH_LENGTH = 20;

    /**
     * What the handshake settled.
     *
     * @param selected       {@link #CRYPTO_RC4} or {@link #CRYPTO_PLAINTEXT}
     * @param decrypt        the cipher for the peer's bytes from here on
     * @param decryptCount   how many of the peer's next bytes are encrypted: all of them
     *                       ({@code Long.MAX_VALUE}) under RC4; with plaintext selected, the rest of
     *                       the peer's initial payload (IA) that the responder has not read yet
     * @param encrypt        the cipher for our bytes from here on, or null when plaintext was selected
     * @param infoHash       SKEY: the torrent the initiator asked for
     */
    public record Result(int selected, Rc4 decrypt, long decryptCount, Rc4 encrypt, InfoHash infoHash) {
        public boolean rc4() {
            return selected == CRYPTO_RC4;
        }

        /** The peer's stream as it continues after the handshake: decrypted where it is encrypted. */
        public InputStream input(InputStream raw) {
            return decryptCount == 0 ? raw : new DecryptingInput(raw, decrypt, decryptCount);
        }

        /** Our stream from here on: encrypted under RC4, as is otherwise. */
        public OutputStream output(OutputStream raw) {
            return encrypt == null ? raw : new EncryptingOutput(raw, encrypt);
        }
    }

    private MseHandshake() {
    }

    /**
     * Runs the initiator's side (A) for the torrent {@code infoHash}, offering {@code provide}
     * ({@link #CRYPTO_PLAINTEXT} and/or {@link #CRYPTO_RC4}), and sends {@code initialPayload}
     * (our BitTorrent handshake) as IA. The responder's answer must be one of the offered methods.
     */
    public static Result initiate(InputStream in, OutputStream out, InfoHash infoHash, int provide, byte[] initialPayload,
                                  SecureRandom random) throws IOException {
        if (initialPayload.length > 0xffff) throw new IllegalArgumentException("IA longer than 65535 bytes");
        DiffieHellman dh = new DiffieHellman(random);
        out.write(concat(dh.publicKey(), pad(random)));
        out.flush();
        byte[] yb = readFully(in, DiffieHellman.KEY_LENGTH, "their public key");
        byte[] s = dh.sharedSecret(yb);
        byte[] skey = infoHash.bytes();
        Rc4 encrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_A, s, skey));
        Rc4 decrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_B, s, skey));

        byte[] padC = pad(random);
        ByteBuffer step3 = ByteBuffer.allocate(2 * HASH_LENGTH + VC_LENGTH + 4 + 2 + padC.length + 2 + initialPayload.length);
        step3.put(MseHashes.sha1(MseHashes.REQ1, s));
        step3.put(MseHashes.xor(MseHashes.sha1(MseHashes.REQ2, skey), MseHashes.sha1(MseHashes.REQ3, s)));
        int encryptedFrom = step3.position();
        step3.put(new byte[VC_LENGTH]).putInt(provide).putShort((short) padC.length).put(padC)
                .putShort((short) initialPayload.length).put(initialPayload);
        byte[] bytes = step3.array();
        encrypt.apply(bytes, encryptedFrom, bytes, encryptedFrom, bytes.length - encryptedFrom);
        out.write(bytes);
        out.flush();

        // ENCRYPT(VC) is the first eight bytes of B's keystream; the cipher moves past them here.
        byte[] encryptedVc = new byte[VC_LENGTH];
        decrypt.apply(encryptedVc);
        synchronize(in, encryptedVc, "encrypted VC");
        byte[] selectAndPad = readFully(in, 4 + 2, "crypto_select");
        decrypt.apply(selectAndPad);
        ByteBuffer b = ByteBuffer.wrap(selectAndPad);
        int selected = b.getInt();
        if (Integer.bitCount(selected) != 1 || (selected & provide) == 0) {
            throw new ProtocolException("MSE: peer selected crypto " + selected + ", we offered " + provide);
        }
        int padD = readPadLength(b.getShort(), "PadD");
        decrypt.apply(readFully(in, padD, "PadD"));
        boolean rc4 = selected == CRYPTO_RC4;
        return new Result(selected, decrypt, rc4 ? Long.MAX_VALUE : 0, rc4 ? encrypt : null, infoHash);
    }

    /**
     * Runs the responder's side (B). {@code in} starts with the peer's public key (the caller may
     * have read its first bytes to tell it from a plaintext handshake and put them back).
     * {@code lookup} gives the info-hash for an obfuscated one, or null when we serve no such
     * torrent (the connection is refused). The method is chosen by {@code policy} among what the
     * peer offers. On return the peer's initial payload is still unread: {@link Result#input} yields
     * it, decrypted, followed by the rest of its stream.
     */
    public static Result respond(InputStream in, OutputStream out, Function<ObfuscatedHash, InfoHash> lookup,
                                 EncryptionPolicy policy, SecureRandom random) throws IOException {
        byte[] ya = readFully(in, DiffieHellman.KEY_LENGTH, "a public key");
        DiffieHellman dh = new DiffieHellman(random);
        byte[] s = dh.sharedSecret(ya);
        out.write(concat(dh.publicKey(), pad(random)));
        out.flush();

        synchronize(in, MseHashes.sha1(MseHashes.REQ1, s), "req1 hash");
        byte[] obfuscated = MseHashes.xor(readFully(in, HASH_LENGTH, "the torrent's hash"), MseHashes.sha1(MseHashes.REQ3, s));
        InfoHash infoHash = lookup.apply(ObfuscatedHash.wrap(obfuscated));
        if (infoHash == null) throw new ProtocolException("MSE: no torrent for obfuscated hash " + ObfuscatedHash.wrap(obfuscated));
        byte[] skey = infoHash.bytes();
        Rc4 decrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_A, s, skey));
        Rc4 encrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_B, s, skey));

        byte[] head = readFully(in, VC_LENGTH + 4 + 2, "VC");
        decrypt.apply(head);
        ByteBuffer b = ByteBuffer.wrap(head);
        if (b.getLong() != 0) throw new ProtocolException("MSE: bad verification constant");
        int provide = b.getInt();
        int padC = readPadLength(b.getShort(), "PadC");
        decrypt.apply(readFully(in, padC, "PadC"));
        byte[] iaLength = readFully(in, 2, "len(IA)");
        decrypt.apply(iaLength);
        int ia = ((iaLength[0] & 0xff) << 8) | (iaLength[1] & 0xff);

        int selected = policy.select(provide);
        if (selected == 0) throw new ProtocolException("MSE: peer offers crypto " + provide + ", policy " + policy + " accepts none of it");
        byte[] padD = pad(random);
        ByteBuffer step4 = ByteBuffer.allocate(VC_LENGTH + 4 + 2 + padD.length);
        step4.put(new byte[VC_LENGTH]).putInt(selected).putShort((short) padD.length).put(padD);
        byte[] bytes = step4.array();
        encrypt.apply(bytes);
        out.write(bytes);
        out.flush();
        boolean rc4 = selected == CRYPTO_RC4;
        return new Result(selected, decrypt, rc4 ? Long.MAX_VALUE : ia, rc4 ? encrypt : null, infoHash);
    }

    /**
     * Reads until {@code pattern} has been read, after at most {@link #MAX_PAD} other bytes, and
     * not a byte further: after a mismatch it reads only as far as the next place the pattern could
     * end (for a random pattern, a whole pattern's length at a time).
     */
    static void synchronize(InputStream in, byte[] pattern, String what) throws IOException {
        int len = pattern.length;
        byte[] window = new byte[MAX_PAD + len];
        int have = 0;
        int start = 0; // where a match may begin
        while (true) {
            int need = start + len - have;
            if (need > 0) {
                readFully(in, window, have, need, what);
                have += need;
            }
            if (Arrays.equals(window, start, start + len, pattern, 0, len)) return;
            int next = start + 1; // the first later start whose bytes so far agree with the pattern
            while (next < have && !Arrays.equals(window, next, have, pattern, 0, have - next)) next++;
            start = next;
            if (start > MAX_PAD) throw new ProtocolException("MSE: no " + what + " within " + (MAX_PAD + len) + " bytes");
        }
    }

    private static int readPadLength(short raw, String what) throws ProtocolException {
        int length = raw & 0xffff;
        if (length > MAX_PAD) throw new ProtocolException("MSE: " + what + " of " + length + " bytes, over " + MAX_PAD);
        return length;
    }

    private static byte[] pad(SecureRandom random) {
        byte[] pad = new byte[random.nextInt(MAX_PAD + 1)];
        random.nextBytes(pad);
        return pad;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] readFully(InputStream in, int length, String what) throws IOException {
        byte[] bytes = new byte[length];
        readFully(in, bytes, 0, length, what);
        return bytes;
    }

    private static void readFully(InputStream in, byte[] into, int off, int length, String what) throws IOException {
        while (length > 0) {
            int n = in.read(into, off, length);
            if (n < 0) throw new EOFException("MSE: connection closed while waiting for " + what);
            off += n;
            length -= n;
        }
    }
}
