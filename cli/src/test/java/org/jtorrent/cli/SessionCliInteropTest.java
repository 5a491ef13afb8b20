package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.Aria2;
import org.jtorrent.testing.External;
import org.jtorrent.testing.ListeningSockets;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session through the command a user types, against real clients: {@code jtorrent download}
 * fetches ten torrents at once from one libtorrent session, in one process on one port; one
 * {@code jtorrent seed} process serves a libtorrent and an aria2 leecher, each fetching a different
 * torrent. Each jtorrent is a child JVM; every byte is compared. Run in a private network namespace.
 */
@Tag("interop")
@Timeout(240)
class SessionCliInteropTest {
    @TempDir
    Path dir;

    @Test
    void downloadFetchesTenTorrentsAtOnceFromOneLibtorrentSessionOnOnePort() throws Exception {
        List<TestTorrent> torrents = TestTorrent.mixed(10, 8);
        Path seedData = dir.resolve("lt-data");
        List<String> torrentFiles = writeTorrents(torrents, seedData);
        int ltPort = freePort();
        Path ready = dir.resolve("lt-ready");
        List<String> lt = new ArrayList<>(List.of(RealPeers.pythonWithLibtorrent().toString(),
                RealPeers.repoRoot().resolve("bench/lt_session.py").toString(), "seed", seedData.toString()));
        lt.addAll(torrentFiles);
        lt.addAll(List.of("--port", String.valueOf(ltPort), "--ready-file", ready.toString()));
        External seeder = External.start(dir.resolve("lt-session.log"), lt);
        try {
            awaitFile(ready, seeder);
            Path out = dir.resolve("out");
            int port = freePort();
            List<String> args = new ArrayList<>(List.of("download", "--no-trackers", "--port", String.valueOf(port),
                    "--peer", "127.0.0.1:" + ltPort, "-o", out.toString(), "--state", dir.resolve("state").toString(),
                    "--progress-every", "1"));
            args.addAll(torrentFiles);
            External download = External.start(dir.resolve("download.log"), JavaProcess.jtorrent(args.toArray(String[]::new)));
            try {
                Set<Integer> listened = new TreeSet<>();
                while (download.waitFor(Duration.ofMillis(100)) < 0) {
                    listened.addAll(ListeningSockets.ofProcess(download.process().pid()));
                }
                assertThat(download.waitFor(Duration.ZERO)).as("jtorrent download exit code\n" + download.log()).isZero();
                assertThat(listened).as("the ports the download process listened on").containsExactly(port);
            } finally {
                download.stop();
            }
            for (TestTorrent t : torrents) assertSameFiles(t, out);
        } finally {
            seeder.stop();
        }
    }

    @Test
    void oneSeedProcessServesLibtorrentAndAria2EachADifferentTorrent() throws Exception {
        RealPeers.require("aria2c", "aria2"); // missing: fail (or skip) before any set-up
        Path python = RealPeers.pythonWithLibtorrent();
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(2)))) {
            List<TestTorrent> torrents = new ArrayList<>();
            for (TestTorrent t : TestTorrent.mixed(4, 8)) torrents.add(t.withTrackers(List.of(List.of(tracker.httpAnnounceUri().toString()))));
            Path seedData = dir.resolve("seed");
            List<String> torrentFiles = writeTorrents(torrents, seedData);
            int port = freePort();
            List<String> args = new ArrayList<>(List.of("seed", "--data", seedData.toString(), "--port", String.valueOf(port),
                    "--state", dir.resolve("state").toString()));
            args.addAll(torrentFiles);
            External seed = External.start(dir.resolve("seed.log"), JavaProcess.jtorrent(args.toArray(String[]::new)));
            try {
                TestTorrent toLibtorrent = torrents.get(1), toAria2 = torrents.get(2); // a tree and a single file
                awaitAnnounced(tracker, toAria2, seed);
                Path ltOut = dir.resolve("lt-out"), aria2Out = dir.resolve("aria2-out");
                External ltLeech = External.start(dir.resolve("lt-leech.log"), python.toString(),
                        RealPeers.harness().resolve("lt_client.py").toString(), "leech", torrentFiles.get(1), ltOut.toString(),
                        "--port", String.valueOf(freePort()), "--peer", "127.0.0.1:" + port, "--timeout", "90");
                External aria2Leech = Aria2.leecher(dir.resolve("aria2-leech.log"), Path.of(torrentFiles.get(2)), aria2Out, freePort());
                try {
                    assertThat(ltLeech.waitFor(Duration.ofSeconds(120))).as("libtorrent leecher exit code\n" + ltLeech.log()).isZero();
                    assertThat(aria2Leech.waitFor(Duration.ofSeconds(120))).as("aria2 leecher exit code\n" + aria2Leech.log()).isZero();
                } finally {
                    ltLeech.stop();
                    aria2Leech.stop();
                }
                assertSameFiles(toLibtorrent, ltOut);
                assertSameFiles(toAria2, aria2Out);
                assertThat(ListeningSockets.ofProcess(seed.process().pid())).as("the seed process's listeners").containsExactly(port);
                assertThat(seed.process().isAlive()).as("still seeding\n" + seed.log()).isTrue();
            } finally {
                seed.stop();
            }
        }
    }

    private List<String> writeTorrents(List<TestTorrent> torrents, Path data) throws IOException {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < torrents.size(); i++) {
            torrents.get(i).writeTo(data);
            files.add(torrents.get(i).writeTorrent(dir.resolve(i + ".torrent")).toString());
        }
        return files;
    }

    private static void assertSameFiles(TestTorrent t, Path out) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            assertThat(Files.readAllBytes(f.resolveIn(out))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitFile(Path file, External process) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file)) {
            assertThat(process.process().isAlive()).as("libtorrent session running\n" + process.log()).isTrue();
            assertThat(System.nanoTime()).as("libtorrent session ready in time\n" + process.log()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitAnnounced(TrackerServer tracker, TestTorrent t, External seed) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (tracker.peerCount(t.metainfo().infoHash()) < 1) {
            assertThat(seed.process().isAlive()).as("jtorrent seed running\n" + seed.log()).isTrue();
            assertThat(System.nanoTime()).as("jtorrent seed announced in time\n" + seed.log()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
