package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.PeerSummary;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtorrent download} with several torrents: one session, one port, each torrent on its own. */
@Timeout(90)
class MultiTorrentDownloadTest {
    @TempDir
    Path dir;

    /** Single-file and multi-file torrents (one with BEP 47 padding), of different piece sizes. */
    private static List<TestTorrent> torrents() {
        return List.of(
                TestTorrent.single("a.bin", 300_001, 32 * 1024),
                TestTorrent.single("b.bin", 70_000, 16 * 1024),
                TestTorrent.multi("album", 16 * 1024, Spec.file("one.bin", 50_000), Spec.file("sub/two.bin", 33_333)),
                TestTorrent.multi("padded", 16 * 1024, Spec.file("x.bin", 20_000), Spec.pad(12_768), Spec.file("y.bin", 40_000)));
    }

    private List<String> writeTorrents(List<TestTorrent> torrents) throws IOException {
        List<String> files = new ArrayList<>();
        for (TestTorrent t : torrents) files.add(t.writeTorrent(dir.resolve(t.metainfo().info().name() + ".torrent")).toString());
        return files;
    }

    /** A session seeding every torrent from {@code folder}, each dialling {@code peers}. */
    private static Session seeder(List<TestTorrent> torrents, Path folder, List<InetSocketAddress> peers) throws IOException {
        Session session = new Session(SessionConfig.defaults());
        for (TestTorrent t : torrents) {
            t.writeTo(folder);
            session.add(t.metainfo(), TorrentOptions.in(folder).withPeers(peers));
        }
        return session;
    }

    private static void assertSame(TestTorrent t, Path folder) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            if (f.isPadding()) continue;
            assertThat(Files.readAllBytes(f.resolveIn(folder))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    private static List<String> args(String... first) {
        return new ArrayList<>(List.of(first));
    }

    @Test
    void severalTorrentsComeInThroughOneListenPort() throws Exception {
        List<TestTorrent> torrents = torrents();
        Path folder = dir.resolve("out");
        int port = freePort();
        // No --peer and no tracker: the seeder dials our one port for every torrent, and each
        // connection must reach its torrent by the info-hash in its handshake.
        List<String> args = args("download");
        args.addAll(writeTorrents(torrents));
        args.addAll(List.of("-o", folder.toString(), "--port", String.valueOf(port), "--state", dir.resolve("state").toString()));
        StringWriter out = new StringWriter(), err = new StringWriter(); // StringWriter: thread-safe
        CompletableFuture<Integer> download = CompletableFuture.supplyAsync(
                () -> Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new)));
        // The port is printed once every torrent is in the session: the seeder's first dials find them.
        awaitLine(err, "listening on port " + port, download);
        try (Session seeder = seeder(torrents, dir.resolve("seed"), List.of(new InetSocketAddress("127.0.0.1", port)))) {
            seeder.start();
            int code = download.get(60, TimeUnit.SECONDS);
            CliTest.Result r = new CliTest.Result(code, out.toString(), err.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err().lines().filter(l -> l.startsWith("listening on port"))).containsExactly("listening on port " + port);
            assertThat(r.out().lines()).hasSize(torrents.size());
            for (TestTorrent t : torrents) {
                String name = t.metainfo().info().name();
                assertThat(r.out()).contains(name + ": complete: ");
                assertSame(t, folder);
                TorrentHandle seeded = seeder.torrent(t.metainfo().infoHash()).orElseThrow();
                List<PeerSummary> peers = DownloadResult.of(seeded, 0).peers();
                assertThat(peers).as(name).anySatisfy(p -> {
                    assertThat(p.address()).endsWith("127.0.0.1:" + port);
                    assertThat(p.uploadedBytes()).isPositive();
                });
            }
        }
    }

    @Test
    void jsonIsOneObjectPerTorrentPerLine() throws Exception {
        List<TestTorrent> torrents = torrents().subList(0, 3);
        try (Session seeder = seeder(torrents, dir.resolve("seed"), List.of())) {
            seeder.start();
            List<String> args = args("download");
            args.addAll(writeTorrents(torrents));
            args.addAll(List.of("-o", dir.resolve("out").toString(), "--peer", "127.0.0.1:" + seeder.listenPort(), "--port", "0",
                    "--json", "--state", dir.resolve("state").toString()));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(3);
            ObjectMapper mapper = new ObjectMapper();
            for (int i = 0; i < 3; i++) {
                TestTorrent t = torrents.get(i);
                JsonNode json = mapper.readTree(lines.get(i));
                assertThat(json.get("info_hash").asText()).isEqualTo(t.metainfo().infoHash().hex());
                assertThat(json.get("name").asText()).isEqualTo(t.metainfo().info().name());
                assertThat(json.get("complete").asBoolean()).isTrue();
                assertThat(json.get("downloaded_bytes").asLong()).isEqualTo(t.metainfo().info().totalLength());
                assertThat(json.get("state").asText()).isEqualTo("seeding");
                assertThat(json.get("error").isNull()).isTrue();
                assertThat(json.get("wall_seconds").asDouble()).isPositive();
                assertThat(json.get("peers").get(0).get("address").asText()).endsWith(":" + seeder.listenPort());
                assertSame(t, dir.resolve("out"));
            }
            assertThat(r.err()).doesNotContain("listening on port"); // stderr keeps to the progress with --json
        }
    }

    @Test
    void badTorrentsAmongSeveralAreOneLineEachAndNothingStarts() throws Exception {
        List<TestTorrent> torrents = torrents().subList(0, 2);
        List<String> good = writeTorrents(torrents);
        Path corrupt = Files.write(dir.resolve("corrupt.torrent"), "d4:infod6:lengthi-5ee".getBytes());
        Path missing = dir.resolve("missing.torrent");
        Path out = dir.resolve("out");
        CliTest.Result r = CliTest.run("download", good.get(0), corrupt.toString(), good.get(1), missing.toString(), good.get(0),
                "-o", out.toString(), "--port", "0", "--state", dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        List<String> errors = r.err().lines().toList();
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith("jtorrent download: " + corrupt + ": ");
        assertThat(errors.get(1)).isEqualTo("jtorrent download: " + missing + ": no such file");
        assertThat(errors.get(2)).isEqualTo("jtorrent download: " + good.get(0) + ": the same torrent as " + good.get(0) + " ("
                + torrents.get(0).metainfo().infoHash().hex() + ")");
        assertThat(r.err()).doesNotContain("Exception", "\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void twoTorrentsThatWouldWriteTheSamePathAreRefused() throws Exception {
        TestTorrent one = TestTorrent.single("same.bin", 1000, 16 * 1024);
        TestTorrent other = TestTorrent.multi("same.bin", 16 * 1024, Spec.file("inner", 10));
        Path first = one.writeTorrent(dir.resolve("1.torrent"));
        Path second = other.writeTorrent(dir.resolve("2.torrent"));
        CliTest.Result r = CliTest.run("download", first.toString(), second.toString(), "-o", dir.resolve("out").toString(),
                "--port", "0", "--state", dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jtorrent download: " + second + ": writes same.bin, as " + first + " does" + System.lineSeparator());
    }

    @Test
    void aTorrentThatFailsDoesNotStopTheOthers() throws Exception {
        List<TestTorrent> torrents = torrents().subList(0, 3);
        Path out = dir.resolve("out");
        // b.bin cannot be written: a folder with something in it stands where the file goes.
        Files.createDirectories(out.resolve("b.bin"));
        Files.writeString(out.resolve("b.bin/keep.txt"), "mine");
        try (Session seeder = seeder(torrents, dir.resolve("seed"), List.of())) {
            seeder.start();
            List<String> args = args("download");
            args.addAll(writeTorrents(torrents));
            args.addAll(List.of("-o", out.toString(), "--peer", "127.0.0.1:" + seeder.listenPort(), "--port", "0",
                    "--state", dir.resolve("state").toString()));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).isEqualTo(1);
            assertSame(torrents.get(0), out);
            assertSame(torrents.get(2), out);
            assertThat(r.out()).contains("a.bin: complete: ", "album: complete: ", "b.bin: failed: ");
            List<String> errors = r.err().lines().filter(l -> l.startsWith("jtorrent download: ")).toList();
            assertThat(errors).singleElement().asString().startsWith("jtorrent download: b.bin: ");
            assertThat(r.err()).contains("b.bin: failed: "); // said when it happened, too
            assertThat(Files.readString(out.resolve("b.bin/keep.txt"))).isEqualTo("mine");
        }
    }

    @Test
    void maxActiveQueuesTheRestAndStillFinishesThemAll() throws Exception {
        List<TestTorrent> torrents = torrents();
        try (Session seeder = seeder(torrents, dir.resolve("seed"), List.of())) {
            seeder.start();
            List<String> args = args("download");
            args.addAll(writeTorrents(torrents));
            args.addAll(List.of("-o", dir.resolve("out").toString(), "--peer", "127.0.0.1:" + seeder.listenPort(), "--port", "0",
                    "--max-active", "1", "--state", dir.resolve("state").toString()));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            for (TestTorrent t : torrents) assertSame(t, dir.resolve("out"));
        }
    }

    @Test
    void seedTimeAppliesToEachTorrent() throws Exception {
        List<TestTorrent> torrents = torrents().subList(0, 2);
        Path out = dir.resolve("out");
        for (TestTorrent t : torrents) t.writeTo(out); // complete already: each seeds for its time from the start
        List<String> args = args("download");
        args.addAll(writeTorrents(torrents));
        args.addAll(List.of("-o", out.toString(), "--port", "0", "--seed-time", "1s", "--state", dir.resolve("state").toString()));
        long start = System.nanoTime();
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat((System.nanoTime() - start) / 1e9).isGreaterThanOrEqualTo(1.0);
        assertThat(r.err()).contains("a.bin: complete; seeding for 1 s", "b.bin: complete; seeding for 1 s");
        assertThat(r.out()).contains("a.bin: complete: 0 B downloaded", "b.bin: complete: 0 B downloaded");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the command printed {@code line} (or has ended, which the caller then reports). */
    private static void awaitLine(StringWriter output, String line, CompletableFuture<?> command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !command.isDone() && !output.toString().contains(line)) Thread.sleep(10);
    }
}
