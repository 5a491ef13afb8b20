package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;
import org.jtorrent.testing.FuzzChecks;

/**
 * Fuzz target of the KRPC codec (docs/fuzzing.md, docs/dht.md): whatever a datagram holds,
 * {@link Krpc#decode} returns a message or nothing, never throws, allocates in proportion to the
 * packet, reads no more than its caps, and what it returns encodes to a packet that decodes to
 * the same message (the encoding is a fixed point after one round).
 */
class KrpcFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] packet) {
        Optional<KrpcMessage> decoded = FuzzChecks.boundedAllocation(64L * packet.length + 64 * 1024, "Krpc.decode",
                () -> Krpc.decode(packet, packet.length));
        if (packet.length > Krpc.MAX_PACKET) assertThat(decoded).isEmpty();
        if (decoded.isEmpty()) return;
        KrpcMessage m = decoded.get();
        assertThat(m.transactionId().length).isBetween(1, Krpc.MAX_TRANSACTION_ID);
        if (m instanceof KrpcMessage.Response r) {
            assertThat(r.nodes()).hasSizeLessThanOrEqualTo(Krpc.MAX_NODES);
            assertThat(r.nodes6()).hasSizeLessThanOrEqualTo(Krpc.MAX_NODES);
            assertThat(r.values()).hasSizeLessThanOrEqualTo(Krpc.MAX_VALUES);
            assertThat(r.values()).allMatch(v -> v.getPort() > 0);
        }
        if (m instanceof KrpcMessage.Query q && q.method() == KrpcMessage.Method.ANNOUNCE_PEER) {
            assertThat(q.token()).isNotNull();
            assertThat(q.impliedPort() || (q.port() >= 1 && q.port() <= 65535)).isTrue();
        }
        byte[] once = Krpc.encode(m);
        KrpcMessage again = Krpc.decode(once, once.length).orElseThrow(() -> new AssertionError("our own encoding did not decode"));
        assertThat(Krpc.encode(again)).isEqualTo(once);
    }
}
