package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedCommandTest {

    @TempDir
    Path dir;

    private Path torrentOf(Path data) throws Exception {
        Path torrent = dir.resolve("t.torrent");
        Files.write(torrent, new TorrentCreator(data).pieceLength(16384).create());
        return torrent;
    }

    @Test
    void seedsVerifiedDataToALeecherUntilSigterm() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        byte[] content = new byte[300_000];
        new Random(4).nextBytes(content);
        Files.write(data.resolve("file.bin"), content);
        Path torrent = torrentOf(data.resolve("file.bin"));

        Process seeder = JavaProcess.start("seed", torrent.toString(), "--data", data.toString(), "--state",
                dir.resolve("state").toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(seeder.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher m = Pattern.compile("^listening on port (\\d+)$").matcher(String.valueOf(line));
            assertThat(m.find()).as(line).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(out.readLine()).matches("seeding file.bin \\([0-9a-f]{40}\\)");
            assertThat(out.readLine()).isEqualTo("seeding 1 of 1 torrents; Ctrl-C stops");
            Path leech = dir.resolve("leech");
            try (Download d = Download.start(Metainfo.load(torrent),
                    DownloadOptions.defaults(leech, List.of(new java.net.InetSocketAddress("127.0.0.1", port))))) {
                assertThat(d.awaitComplete(java.time.Duration.ofSeconds(30))).isTrue();
            }
            assertThat(Files.readAllBytes(leech.resolve("file.bin"))).isEqualTo(content);
        } finally {
            assertStopsOnSigterm(seeder);
        }
    }

    @Test
    void peerDialsALeecherThatNeverDialsOutAndServesItTheMetadataToo() throws Exception {
        // The leecher knows the torrent by its magnet link alone, has no peer to dial and no tracker: only the
        // seeder's --peer can bring them together (Transmission ignores peers at 127.x in the same way).
        TestTorrent t = TestTorrent.single("dialled.bin", 200_000, 16 * 1024);
        Path data = Files.createDirectories(dir.resolve("data"));
        t.writeTo(data);
        Path torrent = t.writeTorrent(dir.resolve("dialled.torrent"));
        Path leech = dir.resolve("leech");
        try (Session leecher = new Session(SessionConfig.defaults())) {
            leecher.start();
            TorrentHandle handle = leecher.add(new MagnetLink(t.metainfo().infoHash(), Optional.empty(), List.of(), List.of(),
                    List.of(), Optional.empty()), TorrentOptions.in(leech));
            Process seeder = JavaProcess.start("seed", torrent.toString(), "--data", data.toString(), "--port", "0",
                    "--peer", "127.0.0.1:" + leecher.listenPort(), "--state", dir.resolve("state").toString());
            try {
                handle.completion().get(30, TimeUnit.SECONDS);
            } finally {
                assertStopsOnSigterm(seeder);
            }
        }
        assertThat(Files.readAllBytes(leech.resolve("dialled.bin"))).isEqualTo(t.content());
    }

    @Test
    void refusesToSeedDataThatDoesNotMatch() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.write(data.resolve("file.bin"), new byte[100_000]);
        Path torrent = torrentOf(data.resolve("file.bin"));
        Files.write(data.resolve("file.bin"), new byte[] {1, 2, 3}); // changed since
        CliTest.Result r = CliTest.run("seed", torrent.toString(), "--data", data.toString(), "--state",
                dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("jtorrent seed: file.bin: the data in ").contains("refusing to seed it");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void seedsSeveralTorrentsFromOneProcessToSeveralLeechersAndRefusesAnIncompleteOne() throws Exception {
        Path data = dir.resolve("data");
        TestTorrent a = TestTorrent.single("a.bin", 200_001, 16 * 1024);
        TestTorrent album = TestTorrent.multi("album", 16 * 1024, TestTorrent.Spec.file("one.bin", 40_000),
                TestTorrent.Spec.file("two/three.bin", 70_000));
        TestTorrent partial = TestTorrent.single("partial.bin", 100_000, 16 * 1024);
        a.writeTo(data);
        album.writeTo(data);
        Files.write(data.resolve("partial.bin"), java.util.Arrays.copyOf(partial.content(), 50_000));
        Path aFile = a.writeTorrent(dir.resolve("a.torrent"));
        Path partialFile = partial.writeTorrent(dir.resolve("partial.torrent"));
        Path albumFile = album.writeTorrent(dir.resolve("album.torrent"));

        Process seeder = JavaProcess.start("seed", aFile.toString(), partialFile.toString(), albumFile.toString(), "--data",
                data.toString(), "--port", "0", "--state", dir.resolve("state").toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(seeder.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new java.util.ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("seeding 2 of 3")) break;
            }
            assertThat(lines).as(String.join("\n", lines)).hasSize(5);
            Matcher m = Pattern.compile("^listening on port (\\d+)$").matcher(lines.get(0));
            assertThat(m.find()).as(lines.get(0)).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(lines).contains("seeding a.bin (" + a.metainfo().infoHash().hex() + ")",
                    "seeding album (" + album.metainfo().infoHash().hex() + ")", "seeding 2 of 3 torrents; Ctrl-C stops");
            assertThat(lines).filteredOn(l -> l.startsWith("jtorrent seed: ")).singleElement().asString()
                    .startsWith("jtorrent seed: partial.bin: the data in " + data + " is incomplete");

            // Three leechers at once, two torrents, one port: each its own session.
            var peer = List.of(new java.net.InetSocketAddress("127.0.0.1", port));
            try (Download first = Download.start(a.metainfo(), DownloadOptions.defaults(dir.resolve("l1"), peer));
                 Download second = Download.start(album.metainfo(), DownloadOptions.defaults(dir.resolve("l2"), peer));
                 Download third = Download.start(a.metainfo(), DownloadOptions.defaults(dir.resolve("l3"), peer))) {
                for (Download d : List.of(first, second, third)) assertThat(d.awaitComplete(java.time.Duration.ofSeconds(30))).isTrue();
            }
            assertThat(Files.readAllBytes(dir.resolve("l1/a.bin"))).isEqualTo(a.content());
            assertThat(Files.readAllBytes(dir.resolve("l3/a.bin"))).isEqualTo(a.content());
            for (var f : album.metainfo().info().files()) {
                assertThat(Files.readAllBytes(f.resolveIn(dir.resolve("l2")))).isEqualTo(album.expected(f));
            }
        } finally {
            assertStopsOnSigterm(seeder);
        }
    }

    @Test
    void aBadTorrentAmongSeveralStopsTheSeedBeforeItStarts() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        TestTorrent a = TestTorrent.single("a.bin", 1000, 16 * 1024);
        a.writeTo(data);
        Path good = a.writeTorrent(dir.resolve("a.torrent"));
        Path bad = Files.write(dir.resolve("bad.torrent"), new byte[] {'d', '4'});
        CliTest.Result r = CliTest.run("seed", good.toString(), bad.toString(), "--data", data.toString(), "--port", "0",
                "--state", dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).singleElement().asString().startsWith("jtorrent seed: " + bad + ": ");
    }

    private static void assertStopsOnSigterm(Process seeder) throws InterruptedException {
        seeder.destroy(); // SIGTERM
        assertThat(seeder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seeder.exitValue()).isIn(0, 143);
    }
}
