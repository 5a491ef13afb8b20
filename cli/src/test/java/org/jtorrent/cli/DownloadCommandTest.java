package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class DownloadCommandTest {
    @TempDir
    Path dir;

    @Test
    void downloadsFromAPeerAndPrintsOneJsonObject() throws Exception {
        TestTorrent t = TestTorrent.single("f.bin", 300_001, 32 * 1024);
        Path torrent = t.writeTorrent(dir.resolve("f.torrent"));
        t.writeTo(dir.resolve("seed"));
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()))) {
            String out = captureStdout(() -> assertThat(Main.run("download", torrent.toString(), "-o",
                    dir.resolve("out").toString(), "--peer", "127.0.0.1:" + seed.listenPort(), "--json", "--state",
                    dir.resolve("state").toString())).isZero());
            assertThat(out.strip()).startsWith("{").endsWith("}").doesNotContain("\n")
                    .contains("\"info_hash\":\"" + t.metainfo().infoHash().hex() + "\"", "\"complete\":true",
                            "\"downloaded_bytes\":300001", "\"uploaded_bytes\":0", "\"wall_seconds\":", "\"peers\":[{");
        }
        assertThat(Files.readAllBytes(dir.resolve("out/f.bin"))).isEqualTo(t.content());
    }

    @Test
    void optionsLeftOutTakeTheirDefaults() throws Exception {
        DownloadCommand download = new DownloadCommand();
        new CommandLine(download.spec).parseArgs("x.torrent", "--port", "0");
        TorrentOptions torrent = download.torrentOptions();
        assertThat(torrent.maxPeers()).isEqualTo(DownloadOptions.DEFAULT_MAX_PEERS);
        assertThat(torrent.peers()).isEmpty();
        assertThat(torrent.folder()).isEqualTo(Path.of("."));
        SessionConfig session = download.sessionConfig(1);
        assertThat(session.listenPort()).isZero();
        assertThat(session.useTrackers()).isTrue();
        assertThat(session.storage().directWrites()).isTrue();
        assertThat(session.limits().choker().slots()).isEqualTo(4);
        assertThat(session.maxConnections()).isEqualTo(SessionConfig.DEFAULT_MAX_CONNECTIONS);
    }

    @Test
    void everyTorrentRunsAtOnceUnlessMaxActiveSaysOtherwise() throws Exception {
        DownloadCommand download = new DownloadCommand();
        new CommandLine(download.spec).parseArgs("a.torrent", "--port", "0");
        SessionConfig many = download.sessionConfig(30);
        assertThat(many.activeDownloads()).isEqualTo(DownloadCommand.ALL);
        assertThat(many.activeSeeds()).isEqualTo(DownloadCommand.ALL);
        assertThat(many.limits().choker().slots()).isEqualTo(SessionConfig.DEFAULT_UPLOAD_SLOTS);
        DownloadCommand limited = new DownloadCommand();
        new CommandLine(limited.spec).parseArgs("a.torrent", "--port", "0", "--max-active", "2", "--upload-slots", "3",
                "--max-connections", "80");
        SessionConfig two = limited.sessionConfig(30);
        assertThat(two.activeDownloads()).isEqualTo(2);
        assertThat(two.limits().choker().slots()).isEqualTo(3);
        assertThat(two.maxConnections()).isEqualTo(80);
        DownloadCommand zero = new DownloadCommand();
        new CommandLine(zero.spec).parseArgs("a.torrent", "--port", "0", "--max-active", "0");
        assertThatThrownBy(() -> zero.sessionConfig(3)).hasMessage("--max-active must be at least 1");
    }

    @Test
    void writesGoAroundThePageCacheUnlessAskedNotTo() throws Exception {
        DownloadCommand direct = new DownloadCommand();
        new CommandLine(direct.spec).parseArgs("x.torrent", "--port", "0");
        assertThat(direct.sessionConfig(1).storage().directWrites()).isTrue();
        DownloadCommand cached = new DownloadCommand();
        new CommandLine(cached.spec).parseArgs("x.torrent", "--port", "0", "--cached-writes");
        assertThat(cached.sessionConfig(1).storage().directWrites()).isFalse();
    }

    @Test
    void completeDataOnDiskExitsAtOnceWithNothingDownloaded() throws Exception {
        TestTorrent t = TestTorrent.single("f.bin", 100_000, 32 * 1024);
        Path torrent = t.writeTorrent(dir.resolve("f.torrent"));
        t.writeTo(dir.resolve("out"));
        String out = captureStdout(() -> assertThat(Main.run("download", torrent.toString(), "-o",
                dir.resolve("out").toString(), "--json", "--state", dir.resolve("state").toString())).isZero());
        assertThat(out).contains("\"complete\":true", "\"downloaded_bytes\":0");
    }

    @Test
    void aBadProgressIntervalIsAOneLineError() throws Exception {
        Path t = TestTorrent.single("f.bin", 1000, 16 * 1024).writeTorrent(dir.resolve("f.torrent"));
        CliTest.Result r = CliTest.run("download", t.toString(), "-o", dir.toString(), "--progress-every", "0", "--port", "0",
                "--state", dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jtorrent download: --progress-every must be a positive number of seconds"
                + System.lineSeparator());
    }

    @Test
    void filesAndSequentialSelectWhatIsFetchedAndHow() throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        Path torrent = t.writeTorrent(dir.resolve("sel.torrent"));
        t.writeTo(dir.resolve("seed"));
        Path out = dir.resolve("out");
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()))) {
            String json = captureStdout(() -> assertThat(Main.run("download", torrent.toString(), "-o", out.toString(),
                    "--peer", "127.0.0.1:" + seed.listenPort(), "--files", "0,2-2,4", "--sequential", "--first-last",
                    "--json", "--state", dir.resolve("state").toString())).isZero());
            assertThat(json).contains("\"complete\":true");
        }
        List<FileEntry> files = t.metainfo().info().files();
        for (int f : StraddlingTorrent.WANTED_FILES) {
            assertThat(Files.readAllBytes(files.get(f).resolveIn(out))).isEqualTo(t.expected(files.get(f)));
        }
        for (int f : StraddlingTorrent.LEFT_OUT) assertThat(files.get(f).resolveIn(out)).doesNotExist();

    }

    @Test
    void aBadFileListIsAOneLineError() throws Exception {
        Path torrent = StraddlingTorrent.torrent().writeTorrent(dir.resolve("sel.torrent"));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertThat(Main.run("download", torrent.toString(), "-o", dir.resolve("out").toString(), "--files", "1,9",
                    "--state", dir.resolve("state").toString())).isEqualTo(1);
            assertThat(Main.run("download", torrent.toString(), "-o", dir.resolve("out").toString(), "--files", "x",
                    "--state", dir.resolve("state").toString())).isEqualTo(1);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString()).isEqualTo(
                "jtorrent download: --files: file index 9 is out of range: the torrent has 7 files (0-6)\n"
                + "jtorrent download: --files: 'x' is not a file index in file list 'x' (expected indices such as 0,2,4-6)\n");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void badPeerIsAOneLineError() {
        assertThat(Main.run("download", "x.torrent", "-o", dir.toString(), "--peer", "nonsense")).isEqualTo(1);
        assertThatThrownBy(() -> DownloadCommand.parsePeer("host:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThat(DownloadCommand.parsePeer("[::1]:6881").getPort()).isEqualTo(6881);
    }

    private static String captureStdout(Runnable body) {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return buffer.toString();
    }
}
