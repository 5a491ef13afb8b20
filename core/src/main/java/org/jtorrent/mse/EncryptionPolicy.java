package org.jtorrent.mse;

/**
 * Which connections may be encrypted, as the reference clients offer it (libtorrent's
 * {@code pe_enabled/pe_forced/pe_disabled}, Transmission's preferred/required/tolerated).
 */
public enum EncryptionPolicy {
    /**
     * The default. Outgoing: an MSE handshake offering plaintext and RC4, retried once in plaintext
     * if the peer drops it; incoming: plaintext and MSE both accepted. When the peer offers both,
     * we select plaintext, as libtorrent does by default ({@code prefer_rc4 = false}): the handshake
     * is obfuscated, and the payload costs no cipher.
     */
    PREFER,
    /** RC4 both ways: plaintext handshakes are refused, and so is an MSE peer that offers no RC4. */
    REQUIRE,
    /** Plaintext only: we never start MSE, and an incoming MSE handshake is refused. */
    DISABLE;

    /** The crypto_provide bits we offer as initiator (meaningless for {@link #DISABLE}). */
    public int provide() {
        return this == REQUIRE ? MseHandshake.CRYPTO_RC4 : MseHandshake.CRYPTO_RC4 | MseHandshake.CRYPTO_PLAINTEXT;
    }

    /** The method we select as responder among what the peer {@code offered}, or 0 when none is acceptable. */
    public int select(int offered) {
        if (this == PREFER && (offered & MseHandshake.CRYPTO_PLAINTEXT) != 0) return MseHandshake.CRYPTO_PLAINTEXT;
        if (this != DISABLE && (offered & MseHandshake.CRYPTO_RC4) != 0) return MseHandshake.CRYPTO_RC4;
        return 0;
    }

    /** Whether the method the responder selected is one we accept (it must also be one we offered). */
    public boolean accepts(int selected) {
        return selected == MseHandshake.CRYPTO_RC4 || (selected == MseHandshake.CRYPTO_PLAINTEXT && this != REQUIRE);
    }
}
