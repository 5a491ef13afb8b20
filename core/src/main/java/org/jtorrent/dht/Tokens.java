package org.jtorrent.dht;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The announce tokens a get_peers reply hands out (BEP 5): the first bytes of SHA-1 over a
 * secret and the requester's IP, so a token proves the announcer can receive packets at the
 * address it announces from. The secret rotates every {@link #ROTATION}; a token made with the
 * current or the previous secret is accepted, so a token lives between 5 and 10 minutes.
 * Rotation happens lazily when the clock says so. Not thread-safe (the node's lock).
 */
final class Tokens {
    static final Duration ROTATION = Duration.ofMinutes(5);
    static final int LENGTH = 8;

    private final Clock clock;
    private final SecureRandom random;
    private byte[] current = new byte[16];
    private byte[] previous = new byte[16];
    private Instant rotated;

    Tokens(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
        random.nextBytes(current);
        random.nextBytes(previous);
        rotated = clock.instant();
    }

    private void rotateIfDue() {
        Instant now = clock.instant();
        long periods = Duration.between(rotated, now).toNanos() / ROTATION.toNanos();
        if (periods <= 0) return;
        if (periods >= 2) {
            random.nextBytes(previous); // both secrets are older than a token may live
        } else {
            previous = current;
        }
        current = new byte[16];
        random.nextBytes(current);
        rotated = rotated.plus(ROTATION.multipliedBy(periods));
    }

    byte[] issue(InetAddress requester) {
        rotateIfDue();
        return token(current, requester);
    }

    boolean accepts(byte[] token, InetAddress announcer) {
        if (token == null || token.length != LENGTH) return false;
        rotateIfDue();
        return MessageDigest.isEqual(token, token(current, announcer)) || MessageDigest.isEqual(token, token(previous, announcer));
    }

    private static byte[] token(byte[] secret, InetAddress address) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(secret);
            sha1.update(address.getAddress());
            return Arrays.copyOf(sha1.digest(), LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }
}
