package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.jtorrent.testing.MutableClock;
import org.junit.jupiter.api.Test;

class ConnectionIdsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:10Z"));
    private final ConnectionIds ids = new ConnectionIds(clock);
    private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);

    @Test
    void validForTheIssuingAddressForOneToTwoMinutes() {
        long id = ids.issue(client);
        assertThat(ids.isValid(id, client)).isTrue();
        clock.advance(Duration.ofSeconds(100));
        assertThat(ids.isValid(id, client)).isTrue();
        clock.advance(Duration.ofSeconds(20)); // 2 minutes after the start of the issuing minute
        assertThat(ids.isValid(id, client)).isFalse();
    }

    @Test
    void boundToTheAddressAndToThisProcessSecret() {
        long id = ids.issue(client);
        assertThat(ids.isValid(id, new InetSocketAddress("127.0.0.1", 40001))).as("same IP, other socket").isTrue();
        assertThat(ids.isValid(id, new InetSocketAddress("::1", 40000))).isFalse();
        assertThat(ids.isValid(id, new InetSocketAddress("127.0.0.2", 40000))).isFalse();
        assertThat(new ConnectionIds(clock).isValid(id, client)).as("another tracker instance, another key").isFalse();
        assertThat(ids.isValid(id + 1, client)).isFalse();
    }
}
