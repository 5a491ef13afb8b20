package org.jtorrent.tracker.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless BEP 15 connection ids: the first 8 bytes of HMAC-SHA256(secret, client IP, minute).
 * Bound to the IP, not the port, as opentracker does: a client that opens a new socket per attempt
 * may keep its id, and what the id proves (that the client receives packets at that IP) is unchanged. Nothing is stored per client, so a flood of connects costs no memory; without the secret
 * (random per process) nobody can compute a valid id for an address it does not receive packets at,
 * which is what stops announces with spoofed source addresses. An id is accepted in the minute it was
 * issued and the next one, so it lives between one and two minutes.
 */
final class ConnectionIds {
    private final Clock clock;
    private final ThreadLocal<Mac> mac;

    ConnectionIds(Clock clock) {
        this.clock = clock;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SecretKeySpec key = new SecretKeySpec(secret, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
            }
        });
    }

    long issue(InetSocketAddress client) {
        return id(client, minute());
    }

    boolean isValid(long id, InetSocketAddress client) {
        long now = minute();
        return id == id(client, now) || id == id(client, now - 1);
    }

    private long minute() {
        return clock.millis() / 60_000;
    }

    private long id(InetSocketAddress client, long minute) {
        Mac m = mac.get();
        m.update(client.getAddress().getAddress());
        m.update(ByteBuffer.allocate(8).putLong(minute).array());
        return ByteBuffer.wrap(m.doFinal()).getLong();
    }
}
