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
