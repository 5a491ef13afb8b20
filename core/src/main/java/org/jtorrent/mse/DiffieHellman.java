package org.jtorrent.mse;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.jtorrent.wire.ProtocolException;

/**
 * One side of MSE's Diffie-Hellman exchange: the 768-bit prime P of the spec, generator 2, a
 * private exponent of {@link #PRIVATE_BITS} random bits (the spec asks for at least 128 and says
 * more than 180 add nothing), public keys of exactly {@link #KEY_LENGTH} bytes, big-endian.
 */
public final class DiffieHellman {
    public static final int KEY_LENGTH = 96;
    static final int PRIVATE_BITS = 160;
    static final BigInteger P = new BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563",
            16);
    static final BigInteger G = BigInteger.TWO;

    private final BigInteger privateKey;
    private final byte[] publicKey;

    public DiffieHellman(SecureRandom random) {
        BigInteger x;
        do {
            x = new BigInteger(PRIVATE_BITS, random);
        } while (x.bitLength() < PRIVATE_BITS - 8); // not a short exponent by bad luck
        this.privateKey = x;
        this.publicKey = toKeyBytes(G.modPow(x, P));
    }

    /** Our public key Y = G^X mod P, 96 bytes. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * The shared secret S = Y^X mod P, 96 bytes, from the peer's public key. A key outside 2..P-2
     * (0, 1 or P-1 give a secret anyone can guess) is refused.
     */
    public byte[] sharedSecret(byte[] peerPublicKey) throws ProtocolException {
        if (peerPublicKey.length != KEY_LENGTH) throw new IllegalArgumentException("public key of " + peerPublicKey.length + " bytes");
        BigInteger y = new BigInteger(1, peerPublicKey);
        if (y.compareTo(BigInteger.TWO) < 0 || y.compareTo(P.subtract(BigInteger.TWO)) > 0) {
            throw new ProtocolException("MSE: degenerate public key");
        }
        return toKeyBytes(y.modPow(privateKey, P));
    }

    static byte[] toKeyBytes(BigInteger value) {
        byte[] raw = value.toByteArray(); // may carry a sign byte, or be shorter than 96
        byte[] key = new byte[KEY_LENGTH];
        int len = Math.min(raw.length, KEY_LENGTH);
        System.arraycopy(raw, raw.length - len, key, KEY_LENGTH - len, len);
        return key;
    }

    @Override
    public String toString() {
        return "DiffieHellman[" + Arrays.hashCode(publicKey) + "]"; // never the private key
    }
}
