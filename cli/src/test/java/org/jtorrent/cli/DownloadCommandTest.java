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
                    dir.resolve("out").toString(), "--peer", "127.0.0.1:" + seed.listenPort(), "--json")).isZero());
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
        DownloadOptions options = download.options();
        assertThat(options.maxPeers()).isEqualTo(DownloadOptions.DEFAULT_MAX_PEERS);
        assertThat(options.peers()).isEmpty();
        assertThat(options.folder()).isEqualTo(Path.of("."));
        assertThat(options.listenPort()).isZero();
        assertThat(options.useTrackers()).isTrue();
        assertThat(options.storage().directWrites()).isTrue();
        assertThat(options.limits().choker().slots()).isEqualTo(4);
    }

    @Test
    void writesGoAroundThePageCacheUnlessAskedNotTo() throws Exception {
        DownloadCommand direct = new DownloadCommand();
        new CommandLine(direct.spec).parseArgs("x.torrent", "--port", "0");
        assertThat(direct.options().storage().directWrites()).isTrue();
        DownloadCommand cached = new DownloadCommand();
        new CommandLine(cached.spec).parseArgs("x.torrent", "--port", "0", "--cached-writes");
        assertThat(cached.options().storage().directWrites()).isFalse();
    }

    @Test
    void completeDataOnDiskExitsAtOnceWithNothingDownloaded() throws Exception {
        TestTorrent t = TestTorrent.single("f.bin", 100_000, 32 * 1024);
        Path torrent = t.writeTorrent(dir.resolve("f.torrent"));
        t.writeTo(dir.resolve("out"));
        String out = captureStdout(() -> assertThat(Main.run("download", torrent.toString(), "-o",
                dir.resolve("out").toString(), "--json")).isZero());
        assertThat(out).contains("\"complete\":true", "\"downloaded_bytes\":0");
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
                    "--json")).isZero());
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
            assertThat(Main.run("download", torrent.toString(), "-o", dir.resolve("out").toString(), "--files", "1,9")).isEqualTo(1);
            assertThat(Main.run("download", torrent.toString(), "-o", dir.resolve("out").toString(), "--files", "x")).isEqualTo(1);
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
