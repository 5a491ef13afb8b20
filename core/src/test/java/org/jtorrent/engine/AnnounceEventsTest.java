package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events each download sends, seen by a tracker that records every announce: a seeder
 * {@code started} then {@code stopped}; a leecher {@code started}, {@code completed}, {@code stopped},
 * with {@code left} falling to 0.
 */
@Timeout(30)
class AnnounceEventsTest {
    @TempDir
    Path dir;

    /** Announces by listen port: "event:left" ("-" for a regular announce). */
    private final Map<String, List<String>> byPort = new ConcurrentHashMap<>();

    @Test
    void seederAndLeecherSendTheirEventsInOrder() throws Exception {
        HttpServer tracker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        tracker.createContext("/announce", exchange -> {
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            byPort.computeIfAbsent(q.get("port"), p -> new CopyOnWriteArrayList<>())
                    .add(q.getOrDefault("event", "-") + ":" + q.get("left"));
            byte[] reply = "d8:intervali1800e5:peers0:e".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        tracker.start();
        try {
            String url = "http://127.0.0.1:" + tracker.getAddress().getPort() + "/announce";
            TestTorrent t = TestTorrent.single("e.bin", 200_000, 32 * 1024).withTrackers(List.of(List.of(url)));
            t.writeTo(dir.resolve("seed"));
            String seedPort;
            String leechPort;
            try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()))) {
                seedPort = String.valueOf(seed.listenPort());
                DownloadOptions opts = DownloadOptions.defaults(dir.resolve("leech"),
                        List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())));
                try (Download leech = Download.start(t.metainfo(), opts)) {
                    leechPort = String.valueOf(leech.listenPort());
                    assertThat(leech.awaitComplete(Duration.ofSeconds(20))).isTrue();
                    awaitEvents(leechPort, 2);
                }
            }
            assertThat(byPort.get(seedPort)).containsExactly("started:0", "stopped:0");
            assertThat(byPort.get(leechPort)).containsExactly("started:200000", "completed:0", "stopped:0");
        } finally {
            tracker.stop(0);
        }
    }

    private void awaitEvents(String port, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (byPort.getOrDefault(port, List.of()).size() < count) {
            assertThat(System.nanoTime()).as("announces from " + port + ": " + byPort).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new ConcurrentHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) q.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return q;
    }
}
