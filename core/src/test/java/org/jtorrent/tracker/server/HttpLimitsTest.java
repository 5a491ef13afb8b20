package org.jtorrent.tracker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.tracker.server.TrackerServerTest.HASH;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceRequest;
import org.jtorrent.tracker.HttpTrackerProtocol;
import org.jtorrent.tracker.server.TrackerServerConfig.HttpLimits;
import org.jtorrent.tracker.server.TrackerServerConfig.PerAddressLimits;
import org.junit.jupiter.api.Test;

/**
 * The HTTP front end's own limits, per tracker (not JVM-wide system properties): open connections,
 * connections per address, and the time a connection may live.
 */
class HttpLimitsTest {

    @Test
    void aHalfSentRequestIsClosedAfterTheTimeout() throws Exception {
        var config = TrackerServerConfig.loopback().withHttp(new HttpLimits(16, Duration.ofMillis(500)));
        try (TrackerServer server = TrackerServer.start(config); Socket slow = connect(server, null)) {
            slow.getOutputStream().write("GET /announce?info_hash=".getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout(10_000); // bounds the test if the server never closes it
            long start = System.nanoTime();
            assertThat(readOrReset(slow.getInputStream())).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertThat(announce(server, 7001)).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void connectionsPastTheCapWaitForAFreeOne() throws Exception {
        var config = TrackerServerConfig.loopback().withHttp(new HttpLimits(2, Duration.ofSeconds(30)));
        try (TrackerServer server = TrackerServer.start(config)) {
            List<Socket> holders = holdHalfSent(server, 2);
            try {
                try (Socket third = connect(server, null)) {
                    third.getOutputStream().write(announceRequest(server, 7002));
                    third.setSoTimeout(500);
                    assertThatThrownBy(() -> third.getInputStream().read()).as("not served while two others hold the slots")
                            .isInstanceOf(SocketTimeoutException.class);
                    holders.removeFirst().close();
                    third.setSoTimeout(10_000);
                    String reply = new String(third.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertThat(reply).startsWith("HTTP/1.1 200 ");
                }
            } finally {
                for (Socket s : holders) s.close();
            }
        }
    }

    @Test
    void oneAddressHasAFewConnectionsAndOthersStillGetIn() throws Exception {
        var config = TrackerServerConfig.loopback().withPerAddress(new PerAddressLimits(8, 2000, 2));
        try (TrackerServer server = TrackerServer.start(config)) {
            List<Socket> holders = holdHalfSent(server, 2);
            try {
                try (Socket third = connect(server, null)) {
                    third.setSoTimeout(10_000);
                    assertThat(readOrReset(third.getInputStream())).as("closed at once").isEqualTo(-1);
                }
                try (Socket other = connect(server, InetAddress.getByName("127.0.0.2"))) {
                    other.getOutputStream().write(announceRequest(server, 7003));
                    other.setSoTimeout(10_000);
                    assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 ");
                }
            } finally {
                for (Socket s : holders) s.close();
            }
        }
    }

    @Test
    void anOversizedRequestHeadIsRefused() throws Exception {
        try (TrackerServer server = TrackerServer.start(TrackerServerConfig.loopback()); Socket s = connect(server, null)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /announce?" + "a".repeat(HttpFrontEnd.MAX_HEAD_BYTES) + " HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 431 ");
        }
    }

    /** Connections that sent part of a request line and then nothing. */
    private static List<Socket> holdHalfSent(TrackerServer server, int n) throws IOException {
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = connect(server, null);
            s.getOutputStream().write("GET /ann".getBytes(StandardCharsets.US_ASCII));
            held.add(s);
        }
        return held;
    }

    private static Socket connect(TrackerServer server, InetAddress from) throws IOException {
        Socket s = new Socket();
        if (from != null) s.bind(new InetSocketAddress(from, 0));
        s.connect(server.httpAddress().orElseThrow(), 5000);
        return s;
    }

    /** The next byte, or -1 at end of stream; a reset also counts as closed. */
    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    private static byte[] announceRequest(TrackerServer server, int port) {
        var uri = HttpTrackerProtocol.announceUri(server.httpAnnounceUri(),
                new AnnounceRequest(HASH, PeerId.random(), port, 0, 0, 1, AnnounceEvent.STARTED, -1, 1), java.util.Optional.empty());
        return ("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String announce(TrackerServer server, int port) throws IOException {
        try (Socket s = connect(server, null)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(announceRequest(server, port));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
