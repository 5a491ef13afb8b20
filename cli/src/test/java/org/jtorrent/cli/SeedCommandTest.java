package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
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

        Process seeder = JavaProcess.start("seed", torrent.toString(), "--data", data.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(seeder.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher m = Pattern.compile("seeding file.bin \\([0-9a-f]{40}\\) on port (\\d+)").matcher(String.valueOf(line));
            assertThat(m.find()).as(line).isTrue();
            int port = Integer.parseInt(m.group(1));
            Path leech = dir.resolve("leech");
            try (Download d = Download.start(Metainfo.load(torrent),
                    DownloadOptions.defaults(leech, List.of(new java.net.InetSocketAddress("127.0.0.1", port))))) {
                assertThat(d.awaitComplete(java.time.Duration.ofSeconds(30))).isTrue();
            }
            assertThat(Files.readAllBytes(leech.resolve("file.bin"))).isEqualTo(content);
        } finally {
            seeder.destroy(); // SIGTERM
            assertThat(seeder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seeder.exitValue()).isIn(0, 143);
    }

    @Test
    void refusesToSeedDataThatDoesNotMatch() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.write(data.resolve("file.bin"), new byte[100_000]);
        Path torrent = torrentOf(data.resolve("file.bin"));
        Files.write(data.resolve("file.bin"), new byte[] {1, 2, 3}); // changed since
        CliTest.Result r = CliTest.run("seed", torrent.toString(), "--data", data.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("jtorrent seed: the data in ").contains("refusing to seed it");
    }
}
