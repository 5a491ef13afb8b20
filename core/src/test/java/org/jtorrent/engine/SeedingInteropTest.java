package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.testing.Aria2;
import org.jtorrent.testing.External;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients download from a jtorrent seeder that they, and it, know only through {@code jtorrent
 * tracker} (the embedded server, in this JVM, 2-second interval): no {@code --peer} anywhere. Each
 * leecher's files are compared byte for byte with the payload, and the seeder must have uploaded at
 * least the whole payload. Run in a private network namespace ({@code unshare -n}).
 */
@Tag("interop")
@Timeout(240)
class SeedingInteropTest {
    /** The tracker's 2 s interval is honoured (the default floor is 60 s), so the seeder hears of new leechers quickly. */
    private static final TrackerConfig QUICK = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(5))
            .withMinInterval(Duration.ofSeconds(1));
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    interface Leecher {
        External start(Path torrentFile, Path out, int port) throws IOException;
    }

    /** 6 MiB + 1 byte in 256 KiB pieces: the last piece is one byte. */
    private static TestTorrent payload() {
        return TestTorrent.single("payload.bin", 6 * 1024 * 1024 + 1, 256 * 1024);
    }

    @Test
    void aria2LeechesFromOurSeeder() throws Exception {
        RealPeers.require("aria2c", "aria2");
        swarm(List.of(this::aria2), false, 0, "aria2");
    }

    @Test
    void libtorrentLeechesFromOurSeeder() throws Exception {
        RealPeers.pythonWithLibtorrent();
        swarm(List.of(this::libtorrent), false, 0, "bt-harness-lt");
    }

    /**
     * Transmission never dials 127.x peers from a tracker, so it only gets data if our seeder dials
     * it after its next announce returns the leecher: no port is handed to the seeder.
     */
    @Test
    void transmissionLeechesFromOurSeederWhichDialsIt() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        swarm(List.of(this::transmission), false, 0, "transmission");
    }

    /**
     * One jtorrent seeder; a jtorrent, a libtorrent and an aria2 leecher at once. The seeder is held
     * to 2 MiB/s (its own upload limit), so one copy takes it 3 s: unthrottled, the first leecher
     * is done in 50 ms on loopback, before the others have started, and there is no swarm.
     */
    @Test
    void mixedSwarmOfLeechers() throws Exception {
        RealPeers.require("aria2c", "aria2");
        RealPeers.pythonWithLibtorrent();
        swarm(List.of(this::libtorrent, this::aria2), true, 2 << 20, "bt-harness-lt", "aria2", "jtorrent");
    }

    /**
     * Starts the seeder, waits until the tracker has it, then starts every leecher (external ones and,
     * if asked, a jtorrent one) at once and waits until all are complete. The seeder must have uploaded
     * to each of {@code expectedClients} (matched in the client name of its BEP 10 handshake; lt_client.py calls itself bt-harness-lt).
     */
    private void swarm(List<Leecher> leechers, boolean withJtorrentLeecher, long seederUploadLimit,
                       String... expectedClients) throws Exception {
        TestTorrent base = payload();
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback().withInterval(INTERVAL))) {
            TestTorrent t = base.withTrackers(List.of(List.of(tracker.httpAnnounceUri().toString())));
            Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
            Path seedData = dir.resolve("seed");
            t.writeTo(seedData);
            DownloadOptions seedOptions = DownloadOptions.defaults(seedData, List.of()).withTrackers(true, QUICK);
            if (seederUploadLimit > 0) {
                seedOptions = seedOptions.withLimits(
                        TransferLimits.DEFAULT.withUpload(RateLimiter.of(TokenBucket.perSecond(seederUploadLimit))));
            }
            try (Download seeder = Download.start(t.metainfo(), seedOptions)) {
                assertThat(seeder.torrent().isComplete()).as("seeder has the whole payload").isTrue();
                awaitTrackerCount(tracker, t, 1);

                List<External> running = new ArrayList<>();
                List<Path> outs = new ArrayList<>();
                Download ours = null;
                try {
                    for (int i = 0; i < leechers.size(); i++) {
                        Path out = dir.resolve("out" + i);
                        int port = freePort();
                        External e = leechers.get(i).start(torrentFile, out, port);
                        running.add(e);
                        outs.add(out);
                    }
                    Path ourOut = dir.resolve("jtorrent-out");
                    if (withJtorrentLeecher) {
                        ours = Download.start(t.metainfo(), DownloadOptions.defaults(ourOut, List.of()).withTrackers(true, QUICK));
                    }
                    for (External e : running) {
                        assertThat(e.waitFor(Duration.ofSeconds(150)))
                                .as("leecher exit code, " + e.logFile() + "\n" + e.log() + "\nseeder: " + seeder.result().toJson())
                                .isZero();
                    }
                    if (ours != null) {
                        assertThat(ours.awaitComplete(Duration.ofSeconds(60))).as("jtorrent leecher complete").isTrue();
                        assertThat(ours.result().downloadedBytes()).isEqualTo(t.metainfo().info().totalLength());
                        assertSameFiles(t, ourOut);
                    }
                } finally {
                    if (ours != null) ours.close();
                    for (External e : running) e.stop();
                }
                for (Path out : outs) assertSameFiles(t, out);
                DownloadResult served = seeder.result();
                assertThat(served.uploadedBytes()).as(served.toJson())
                        .isGreaterThanOrEqualTo(t.metainfo().info().totalLength());
                for (String client : expectedClients) {
                    assertThat(served.peers()).as("the seeder uploaded to " + client + ": " + served.toJson())
                            .anyMatch(p -> p.client().toLowerCase(Locale.ROOT).contains(client) && p.uploadedBytes() > 0);
                }
            }
        }
    }

    private static void awaitTrackerCount(TrackerServer tracker, TestTorrent t, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tracker.peerCount(t.metainfo().infoHash()) < n) {
            assertThat(System.nanoTime()).as("seeder announced to the tracker").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private External aria2(Path torrentFile, Path out, int port) throws IOException {
        return Aria2.leecher(dir.resolve("aria2-leech-" + port + ".log"), torrentFile, out, port);
    }

    private External libtorrent(Path torrentFile, Path out, int port) throws IOException {
        return External.start(dir.resolve("lt-leech-" + port + ".log"), RealPeers.pythonWithLibtorrent().toString(),
                RealPeers.harness().resolve("lt_client.py").toString(), "leech", torrentFile.toString(),
                out.toString(), "--port", String.valueOf(port), "--timeout", "120");
    }

    private External transmission(Path torrentFile, Path out, int port) throws IOException {
        return External.start(dir.resolve("tr-leech-" + port + ".log"), "sh",
                RealPeers.harness().resolve("tr_run.sh").toString(), "leech", torrentFile.toString(), out.toString(),
                String.valueOf(port));
    }
}
