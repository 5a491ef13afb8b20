package org.jtorrent.mse;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.jtorrent.id.InfoHash;

/**
 * A scripted MSE initiator for tests, built from the same primitives but free to break the rules:
 * any pad length, any crypto_provide, any SKEY. Not a second implementation of the protocol: it
 * writes step 1 and step 3 byte for byte as the spec lays them out, and nothing else.
 */
public final class MseTestPeer {
    private final DiffieHellman dh = new DiffieHellman(new SecureRandom());
    private Rc4 encrypt;
    private Rc4 decrypt;

    /** Step 1: our public key and {@code padA} random bytes. */
    public void sendPublicKey(OutputStream out, int padA) throws IOException {
        out.write(dh.publicKey());
        out.write(new byte[padA]);
        out.flush();
    }

    /**
     * Reads the responder's key, then sends step 3 for {@code skey} with a PadC announced as
     * {@code padC} bytes (and that many sent), crypto_provide {@code provide} and IA {@code ia}.
     */
    public void sendRequest(InputStream in, OutputStream out, InfoHash skey, int provide, int padC, byte[] ia) throws IOException {
        byte[] yb = new DataInputStream(in).readNBytes(DiffieHellman.KEY_LENGTH);
        byte[] s = dh.sharedSecret(yb);
        encrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_A, s, skey.bytes()));
        decrypt = Rc4.mse(MseHashes.sha1(MseHashes.KEY_B, s, skey.bytes()));
        out.write(MseHashes.sha1(MseHashes.REQ1, s));
        out.write(MseHashes.xor(MseHashes.sha1(MseHashes.REQ2, skey.bytes()), MseHashes.sha1(MseHashes.REQ3, s)));
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 2 + padC + 2 + ia.length);
        b.put(new byte[8]).putInt(provide).putShort((short) padC).put(new byte[padC]).putShort((short) ia.length).put(ia);
        byte[] bytes = b.array();
        encrypt.apply(bytes);
        out.write(bytes);
        out.flush();
    }

    /** Reads step 4 (after PadB) and returns crypto_select. */
    public int readSelect(InputStream in) throws IOException {
        byte[] vc = new byte[8];
        decrypt.apply(vc);
        MseHandshake.synchronize(in, vc, "VC");
        byte[] rest = new DataInputStream(in).readNBytes(6);
        decrypt.apply(rest);
        ByteBuffer b = ByteBuffer.wrap(rest);
        int selected = b.getInt();
        byte[] padD = new DataInputStream(in).readNBytes(b.getShort() & 0xffff);
        decrypt.apply(padD);
        return selected;
    }

    /** Our cipher for what we send from here (RC4 selected). */
    public Rc4 encrypt() {
        return encrypt;
    }

    /** The cipher for what the responder sends from here (RC4 selected). */
    public Rc4 decrypt() {
        return decrypt;
    }
}
