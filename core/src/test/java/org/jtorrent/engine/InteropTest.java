package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.Aria2;
import org.jtorrent.testing.External;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jtorrent against real clients on loopback, both directions, every byte compared. Run the build
 * in a private network namespace ({@code unshare -n}) so nothing can leave the machine; the clients
 * are bound to 127.0.0.1 in any case. Payloads are a few MB so the whole class takes seconds.
 */
@Tag("interop")
@Timeout(150)
class InteropTest {
    @TempDir
    Path dir;

    /** 4 MiB + 1 byte in 256 KiB pieces: the last piece is one byte. */
    static TestTorrent single() {
        return TestTorrent.single("payload.bin", 4 * 1024 * 1024 + 1, 256 * 1024);
    }

    /** Nested folders, an empty file, files spanning pieces, last piece one byte. */
    static TestTorrent tree() {
        return TestTorrent.multi("tree", 64 * 1024,
                file("a/b/c/deep.bin", 700_001),
                file("a/empty.txt", 0),
                file("a/b/mid.bin", 1_000_000),
                file("top.bin", 123_457),
                file("z/last.bin", 14 * 65536 - 700_001 - 1_000_000 - 123_457 + 65536 * 16 + 1));
    }

    @Test
    void downloadsSingleFileFromLibtorrent() throws Exception {
        fromSeeder(single(), this::libtorrentSeeder);
    }

    @Test
    void downloadsTreeFromLibtorrent() throws Exception {
        fromSeeder(tree(), this::libtorrentSeeder);
    }

    @Test
    void downloadsSingleFileFromAria2() throws Exception {
        fromSeeder(single(), this::aria2Seeder);
    }

    @Test
    void downloadsTreeFromAria2() throws Exception {
        fromSeeder(tree(), this::aria2Seeder);
    }

    @Test
    void libtorrentLeecherDownloadsFromUs() throws Exception {
        TestTorrent t = tree();
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        Path ours = dir.resolve("ours");
        t.writeTo(ours);
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(ours, List.of()))) {
            assertThat(seed.torrent().isComplete()).isTrue();
            Path out = dir.resolve("lt-out");
            Path python = RealPeers.pythonWithLibtorrent();
            External leech = External.start(dir.resolve("lt-leech.log"), python.toString(),
                    RealPeers.harness().resolve("lt_client.py").toString(), "leech", torrentFile.toString(),
                    out.toString(), "--port", String.valueOf(freePort()), "--peer", "127.0.0.1:" + seed.listenPort(),
                    "--timeout", "60");
            try {
                assertThat(leech.waitFor(Duration.ofSeconds(90))).as("libtorrent leecher exit code\n" + leech.log()).isZero();
            } finally {
                leech.stop();
            }
            assertSameFiles(t, out);
            assertThat(seed.result().uploadedBytes()).isGreaterThanOrEqualTo(t.metainfo().info().totalLength());
        }
    }

    @Test
    void aria2LeecherDownloadsFromUsWhenWeDialIt() throws Exception {
        TestTorrent t = tree();
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        Path ours = dir.resolve("ours");
        t.writeTo(ours);
        int port = freePort();
        Path out = dir.resolve("aria2-out");
        External leech = Aria2.leecher(dir.resolve("aria2-leech.log"), torrentFile, out, port);
        try {
            awaitListening(port, leech);
            try (Download seed = Download.start(t.metainfo(),
                    DownloadOptions.defaults(ours, List.of(new InetSocketAddress("127.0.0.1", port))))) {
                assertThat(leech.waitFor(Duration.ofSeconds(60))).as("aria2 leecher exit code\n" + leech.log()).isZero();
                assertThat(seed.result().uploadedBytes()).isGreaterThanOrEqualTo(t.metainfo().info().totalLength());
            }
        } finally {
            leech.stop();
        }
        assertSameFiles(t, out);
    }

    /** Transmission waits ~10 s before it unchokes (its rechoke timer); the test allows for it. */
    @Test
    void downloadsSingleFileFromTransmission() throws Exception {
        fromSeeder(single(), this::transmissionSeeder);
    }

    /** As a seeder Transmission has the empty file on disk already, so the whole tree can be checked. */
    @Test
    void downloadsTreeFromTransmission() throws Exception {
        fromSeeder(tree(), this::transmissionSeeder);
    }

    private External transmissionSeeder(TestTorrent t, Path torrentFile, Path data, int port) throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        return External.start(dir.resolve("tr-seed.log"), "sh", RealPeers.harness().resolve("tr_run.sh").toString(),
                "seed", torrentFile.toString(), data.toString(), String.valueOf(port));
    }

    /**
     * Transmission never dials 127.x, so we dial it. Single file: Transmission 3.00 does not create
     * the empty files of a multi-file torrent, which a byte-exact tree check would count against it.
     */
    @Test
    void transmissionLeecherDownloadsFromUsWhenWeDialIt() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        TestTorrent t = single();
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        Path ours = dir.resolve("ours");
        t.writeTo(ours);
        int port = freePort();
        Path out = dir.resolve("tr-out");
        External leech = External.start(dir.resolve("tr-leech.log"), "sh",
                RealPeers.harness().resolve("tr_run.sh").toString(), "leech", torrentFile.toString(), out.toString(),
                String.valueOf(port));
        try {
            awaitListening(port, leech);
            try (Download seed = Download.start(t.metainfo(),
                    DownloadOptions.defaults(ours, List.of(new InetSocketAddress("127.0.0.1", port))))) {
                assertThat(leech.waitFor(Duration.ofSeconds(90))).as("transmission leecher exit code\n" + leech.log()).isZero();
                assertThat(seed.result().uploadedBytes()).isGreaterThanOrEqualTo(t.metainfo().info().totalLength());
            }
        } finally {
            leech.stop();
        }
        assertSameFiles(t, out);
    }

    // ---- helpers ----

    interface SeederStarter {
        External start(TestTorrent t, Path torrentFile, Path data, int port) throws Exception;
    }

    private void fromSeeder(TestTorrent t, SeederStarter starter) throws Exception {
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        Path data = dir.resolve("seed");
        t.writeTo(data);
        int port = freePort();
        External seeder = starter.start(t, torrentFile, data, port);
        try {
            awaitListening(port, seeder);
            Path out = dir.resolve("out");
            try (Download d = Download.start(t.metainfo(),
                    DownloadOptions.defaults(out, List.of(new InetSocketAddress("127.0.0.1", port))))) {
                assertThat(d.awaitComplete(Duration.ofSeconds(90))).as("complete\n" + seeder.log()).isTrue();
                DownloadResult r = d.result();
                assertThat(r.downloadedBytes()).isEqualTo(t.metainfo().info().totalLength());
            }
            assertSameFiles(t, out);
        } finally {
            seeder.stop();
        }
    }

    private External libtorrentSeeder(TestTorrent t, Path torrentFile, Path data, int port) throws IOException {
        return libtorrentSeeder(dir.resolve("lt-seed.log"), torrentFile, data, port);
    }

    static External libtorrentSeeder(Path log, Path torrentFile, Path data, int port) throws IOException {
        Path python = RealPeers.pythonWithLibtorrent();
        return External.start(log, python.toString(),
                RealPeers.harness().resolve("lt_client.py").toString(), "seed", torrentFile.toString(), data.toString(),
                "--port", String.valueOf(port));
    }

    private External aria2Seeder(TestTorrent t, Path torrentFile, Path data, int port) throws IOException {
        return aria2Seeder(dir.resolve("aria2-seed.log"), torrentFile, data, port);
    }

    static External aria2Seeder(Path log, Path torrentFile, Path data, int port) throws IOException {
        return Aria2.seeder(log, torrentFile, data, port);
    }

    static void assertSameFiles(TestTorrent t, Path out) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            Path p = f.resolveIn(out);
            assertThat(p).as(f.displayPath()).exists();
            assertThat(Files.readAllBytes(p)).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void awaitListening(int port, External process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (IOException notYet) {
                if (!process.process().isAlive()) throw new AssertionError("seeder exited\n" + process.log());
                Thread.sleep(100);
            }
        }
        throw new AssertionError("seeder never listened on " + port + "\n" + process.log());
    }
}
