package org.jtorrent.peer;

import java.time.Duration;
import org.jtorrent.mse.EncryptionPolicy;

/**
 * Settings of one connection.
 *
 * @param handshakeTimeout how long a peer may take to connect and complete its whole handshake (one
 *                         deadline, however the bytes trickle in)
 * @param keepAliveAfter   send a keep-alive after this long without sending anything (BEP 3: peers
 *                         drop a connection silent for two minutes)
 * @param idleTimeout      drop the peer after this long without receiving anything
 * @param ourReqq          how many requests we queue from a peer (advertised as {@code reqq});
 *                         more are rejected
 * @param maxPipeline      upper bound on our outstanding requests, whatever the peer's reqq says
 * @param queueSeconds     the pipeline holds this many seconds' worth of blocks at the measured rate
 * @param snubTimeout      a peer that answers none of our requests for this long is snubbed (its
 *                         blocks go elsewhere); for three times this long, dropped
 * @param writeTimeout     drop the peer when a write to it makes no progress for this long (it
 *                         stopped reading)
 * @param maxQueuedBytes   drop the peer when messages other than pieces waiting to be written to it
 *                         would exceed this many bytes (at least two frames of the largest size
 *                         are always allowed, so a large bitfield fits)
 * @param encryption       MSE/PE: whether connections are encrypted (default {@link EncryptionPolicy#PREFER})
 */
public record PeerConfig(Duration handshakeTimeout, Duration keepAliveAfter, Duration idleTimeout, int ourReqq,
                         int maxPipeline, double queueSeconds, Duration snubTimeout, Duration writeTimeout,
                         long maxQueuedBytes, EncryptionPolicy encryption) {
    public static final PeerConfig DEFAULT = new PeerConfig(Duration.ofSeconds(10), Duration.ofSeconds(90),
            Duration.ofSeconds(120), 500, 1000, 2.0, Duration.ofSeconds(20), Duration.ofSeconds(30), 1024 * 1024,
            EncryptionPolicy.PREFER);

    public PeerConfig {
        if (ourReqq < 1 || maxPipeline < 1 || queueSeconds <= 0 || maxQueuedBytes < 1 || writeTimeout.isNegative()
                || writeTimeout.isZero()) {
            throw new IllegalArgumentException("bad peer config");
        }
        if (encryption == null) throw new IllegalArgumentException("no encryption policy");
    }

    public PeerConfig withTimeouts(Duration handshake, Duration keepAlive, Duration idle) {
        return new PeerConfig(handshake, keepAlive, idle, ourReqq, maxPipeline, queueSeconds, snubTimeout, writeTimeout,
                maxQueuedBytes, encryption);
    }

    public PeerConfig withSnubTimeout(Duration timeout) {
        return new PeerConfig(handshakeTimeout, keepAliveAfter, idleTimeout, ourReqq, maxPipeline, queueSeconds, timeout,
                writeTimeout, maxQueuedBytes, encryption);
    }

    public PeerConfig withWriteLimits(Duration timeout, long queuedBytes) {
        return new PeerConfig(handshakeTimeout, keepAliveAfter, idleTimeout, ourReqq, maxPipeline, queueSeconds, snubTimeout,
                timeout, queuedBytes, encryption);
    }

    public PeerConfig withEncryption(EncryptionPolicy policy) {
        return new PeerConfig(handshakeTimeout, keepAliveAfter, idleTimeout, ourReqq, maxPipeline, queueSeconds, snubTimeout,
                writeTimeout, maxQueuedBytes, policy);
    }
}
