package org.jtorrent.mse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The SHA-1 values MSE derives from the shared secret S and the info-hash SKEY. */
final class MseHashes {
    static final byte[] REQ1 = ascii("req1");
    static final byte[] REQ2 = ascii("req2");
    static final byte[] REQ3 = ascii("req3");
    static final byte[] KEY_A = ascii("keyA");
    static final byte[] KEY_B = ascii("keyB");

    private MseHashes() {
    }

    static byte[] sha1(byte[]... parts) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
        for (byte[] part : parts) digest.update(part);
        return digest.digest();
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int k = 0; k < a.length; k++) out[k] = (byte) (a[k] ^ b[k]);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
