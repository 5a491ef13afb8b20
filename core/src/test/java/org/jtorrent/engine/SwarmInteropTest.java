package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.engine.InteropTest.awaitListening;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.jtorrent.testing.Aria2;
import org.jtorrent.testing.External;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.AnnounceEvent;
import org.jtorrent.tracker.AnnounceRequest;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.SelfFilter;
import org.jtorrent.tracker.TrackerClient;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.TrackerException;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jtorrent downloads from real clients it learns about only through a tracker: no {@code --peer}.
 * Trackers: {@code jtorrent tracker} (the embedded server, in this JVM) and Debian's opentracker.
 * Seeders: libtorrent, aria2, Transmission, and two at once. Every byte compared. Run in a private
 * network namespace ({@code unshare -n}); every program is bound to 127.0.0.1 anyway.
 */
@Tag("interop")
@Timeout(180)
class SwarmInteropTest {
    private static final TrackerConfig QUICK = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(5));

    @TempDir
    Path dir;
    /** Listen ports of the seeders of the current test. */
    private final List<Integer> seederPorts = new ArrayList<>();
    private String lastLogs = "";

    interface Seeder {
        External start(Path torrentFile, Path data, int port) throws IOException;
    }

    @Test
    void libtorrentThroughOurTrackerSingleFile() throws Exception {
        throughOurTracker(InteropTest.single(), List.of(this::libtorrent));
    }

    @Test
    void aria2ThroughOurTrackerTree() throws Exception {
        throughOurTracker(InteropTest.tree(), List.of(this::aria2));
    }

    /**
     * Both at once, multi-file: the leecher finds both and takes data from each. Both uploads are
     * held to 1 MB/s by the clients' own settings: unthrottled, whichever unchokes first serves
     * the 4 MB on loopback before the other has started.
     */
    @Test
    void libtorrentAndAria2AtOnceThroughOurTrackerTree() throws Exception {
        DownloadResult r = throughOurTracker(InteropTest.tree(), List.of(this::slowLibtorrent, this::slowAria2));
        assertConnectedToAllSeeders(r);
        assertThat(r.peers()).as(r.toJson() + lastLogs).filteredOn(p -> p.downloadedBytes() > 0).hasSize(2);
    }

    /** Transmission never dials 127.x peers; jtorrent dials it, having learnt its port from the tracker. */
    @Test
    void transmissionThroughOurTrackerSingleFile() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        throughOurTracker(InteropTest.single(), List.of(this::transmission));
    }

    @Test
    void libtorrentAndAria2ThroughOpentrackerSingleFile() throws Exception {
        Path opentracker = RealPeers.require("opentracker", "opentracker");
        TestTorrent base = InteropTest.single();
        Path otdir = Files.createDirectory(dir.resolve("ot"));
        // As root, opentracker chroots to -d and drops to nobody: the dir and whitelist must be world-readable.
        Files.writeString(otdir.resolve("whitelist"), base.metainfo().infoHash().hex() + "\n");
        Files.setPosixFilePermissions(otdir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(otdir.resolve("whitelist"), PosixFilePermissions.fromString("rw-r--r--"));
        int http = freePort();
        int udp;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp = s.getLocalPort();
        }
        External ot = External.start(dir.resolve("opentracker.log"), opentracker.toString(), "-i", "127.0.0.1",
                "-p", String.valueOf(http), "-P", String.valueOf(udp), "-d", otdir.toString(), "-w", "whitelist");
        try {
            awaitListening(http, ot);
            URI announce = URI.create("http://127.0.0.1:" + http + "/announce");
            awaitWhitelistLoaded(announce, base);
            TestTorrent t = base.withTrackers(List.of(List.of(announce.toString())));
            DownloadResult r = download(t, List.of(this::slowLibtorrent, this::slowAria2), () -> seeders(announce, t));
            assertConnectedToAllSeeders(r);
            assertThat(r.peers()).as(r.toJson() + lastLogs).filteredOn(p -> p.downloadedBytes() > 0).hasSize(2);
        } finally {
            ot.stop();
        }
    }

    // ---- helpers ----

    private void assertConnectedToAllSeeders(DownloadResult r) {
        for (int port : seederPorts) {
            assertThat(r.peers()).as("connected to the seeder on port " + port + ": " + r.toJson())
                    .anyMatch(p -> p.address().endsWith(":" + port));
        }
        assertThat(r.peers().stream().mapToLong(PeerSummary::downloadedBytes).sum()).as(r.toJson())
                .isGreaterThanOrEqualTo(r.downloadedBytes());
    }

    private DownloadResult throughOurTracker(TestTorrent base, List<Seeder> seeders) throws Exception {
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback())) {
            TestTorrent t = base.withTrackers(List.of(List.of(tracker.httpAnnounceUri().toString())));
            return download(t, seeders, () -> tracker.peerCount(t.metainfo().infoHash()));
        }
    }

    /** Starts the seeders, waits until the tracker counts them all, then downloads through it. */
    private DownloadResult download(TestTorrent t, List<Seeder> seeders, IntSupplier seen) throws Exception {
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        List<External> running = new ArrayList<>();
        try {
            for (int i = 0; i < seeders.size(); i++) {
                Path data = dir.resolve("seed" + i);
                t.writeTo(data);
                int port = freePort();
                seederPorts.add(port);
                External e = seeders.get(i).start(torrentFile, data, port);
                running.add(e);
                awaitListening(port, e);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.getAsInt() < seeders.size()) {
                assertThat(System.nanoTime()).as("seeders announced\n" + logs(running)).isLessThan(deadline);
                Thread.sleep(100);
            }
            Path out = dir.resolve("out");
            DownloadResult r;
            try (Download d = Download.start(t.metainfo(), DownloadOptions.defaults(out, List.of()).withTrackers(true, QUICK))) {
                assertThat(d.awaitComplete(Duration.ofSeconds(120))).as("complete\n" + logs(running)).isTrue();
                r = d.result();
            }
            assertThat(r.downloadedBytes()).isEqualTo(t.metainfo().info().totalLength());
            assertSameFiles(t, out);
            lastLogs = logs(running);
            return r;
        } finally {
            for (External e : running) e.stop();
        }
    }

    private static String logs(List<External> running) {
        StringBuilder sb = new StringBuilder();
        for (External e : running) sb.append(e.logFile()).append(":\n").append(e.log()).append('\n');
        return sb.toString();
    }

    private External libtorrent(Path torrentFile, Path data, int port) throws IOException {
        return InteropTest.libtorrentSeeder(dir.resolve("lt-seed-" + port + ".log"), torrentFile, data, port);
    }

    private External slowLibtorrent(Path torrentFile, Path data, int port) throws IOException {
        return External.start(dir.resolve("lt-slow-seed-" + port + ".log"), "env", "LT_UPLOAD_LIMIT=1000000",
                RealPeers.pythonWithLibtorrent().toString(), RealPeers.harness().resolve("lt_client.py").toString(),
                "seed", torrentFile.toString(), data.toString(), "--port", String.valueOf(port));
    }

    private External slowAria2(Path torrentFile, Path data, int port) throws IOException {
        return Aria2.seeder(dir.resolve("aria2-slow-seed-" + port + ".log"), torrentFile, data, port, "--max-upload-limit=1M");
    }

    private External aria2(Path torrentFile, Path data, int port) throws IOException {
        return InteropTest.aria2Seeder(dir.resolve("aria2-seed-" + port + ".log"), torrentFile, data, port);
    }

    private External transmission(Path torrentFile, Path data, int port) throws IOException {
        return External.start(dir.resolve("tr-seed-" + port + ".log"), "sh",
                RealPeers.harness().resolve("tr_run.sh").toString(), "seed", torrentFile.toString(), data.toString(),
                String.valueOf(port));
    }

    /** Seeders opentracker counts for the torrent (by HTTP scrape), 0 while it does not answer. */
    private static int seeders(URI announce, TestTorrent t) {
        try (TrackerClient c = TrackerClient.forUri(announce, QUICK, SelfFilter.forPort(1), Clock.systemUTC())) {
            ScrapeStats s = c.scrape(List.of(t.metainfo().infoHash()), Duration.ofSeconds(2)).get(t.metainfo().infoHash());
            return s == null ? 0 : (int) s.complete();
        } catch (TrackerException e) {
            return 0;
        }
    }

    /**
     * opentracker listens before its whitelist thread has read the file and refuses every hash until
     * then; a seeder refused then would wait out a long retry. A {@code stopped} announce adds no
     * peer and is the probe.
     */
    private static void awaitWhitelistLoaded(URI tracker, TestTorrent t) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        AnnounceRequest probe = new AnnounceRequest(t.metainfo().infoHash(), PeerId.random(), 6999, 0, 0, 0,
                AnnounceEvent.STOPPED, -1, 1);
        while (true) {
            try (TrackerClient c = TrackerClient.forUri(tracker, QUICK, SelfFilter.forPort(6999), Clock.systemUTC())) {
                c.announce(probe, Duration.ofSeconds(2));
                return;
            } catch (TrackerException e) {
                if (!e.isRefusal() || System.nanoTime() > end) throw e;
                Thread.sleep(50);
            }
        }
    }
}
