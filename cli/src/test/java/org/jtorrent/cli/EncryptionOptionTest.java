package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --encryption prefer|require|disable} on download and seed: parsed, defaulted, applied, reported. */
@Timeout(60)
class EncryptionOptionTest {
    @TempDir
    Path dir;

    @Test
    void preferByDefaultAndEachValueParsed() throws Exception {
        assertThat(policy("x.torrent", "--port", "0")).isEqualTo(EncryptionPolicy.PREFER);
        assertThat(policy("x.torrent", "--port", "0", "--encryption", "require")).isEqualTo(EncryptionPolicy.REQUIRE);
        assertThat(policy("x.torrent", "--port", "0", "--encryption", "DISABLE")).isEqualTo(EncryptionPolicy.DISABLE);
        assertThatThrownBy(() -> policy("x.torrent", "--port", "0", "--encryption", "maybe"))
                .hasMessage("--encryption must be prefer, require or disable, not 'maybe'");
    }

    @Test
    void aBadValueIsAOneLineErrorAndTheHelpNamesTheOption() throws Exception {
        Path t = TestTorrent.single("f.bin", 1000, 16 * 1024).writeTorrent(dir.resolve("f.torrent"));
        CliTest.Result r = CliTest.run("download", t.toString(), "-o", dir.toString(), "--encryption", "maybe", "--port", "0",
                "--state", dir.resolve("state").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jtorrent download: --encryption must be prefer, require or disable, not 'maybe'"
                + System.lineSeparator());
        assertThat(CliTest.run("download", "--help").out()).contains("--encryption", "require");
        assertThat(CliTest.run("seed", "--help").out()).contains("--encryption", "require");
        CliTest.Result seed = CliTest.run("seed", t.toString(), "--data", dir.toString(), "--encryption", "never", "--port", "0",
                "--state", dir.resolve("state2").toString());
        assertThat(seed.code()).isEqualTo(1);
        assertThat(seed.err()).contains("--encryption must be prefer, require or disable, not 'never'");
    }

    /** download --encryption require from a seeder that prefers: RC4, and the JSON says so. */
    @Test
    void requireDownloadsOverRc4AndReportsIt() throws Exception {
        TestTorrent t = TestTorrent.single("f.bin", 300_001, 32 * 1024);
        Path torrent = t.writeTorrent(dir.resolve("f.torrent"));
        t.writeTo(dir.resolve("seed"));
        try (Download seed = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("seed"), List.of()))) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream old = System.out;
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertThat(Main.run("download", torrent.toString(), "-o", dir.resolve("out").toString(), "--peer",
                        "127.0.0.1:" + seed.listenPort(), "--json", "--encryption", "require", "--state",
                        dir.resolve("state").toString())).isZero();
            } finally {
                System.setOut(old);
            }
            assertThat(captured.toString(StandardCharsets.UTF_8)).contains("\"complete\":true", "\"encrypted\":true")
                    .doesNotContain("\"encrypted\":false");
        }
        assertThat(Files.readAllBytes(dir.resolve("out/f.bin"))).isEqualTo(t.content());
    }

    private static EncryptionPolicy policy(String... args) throws Exception {
        DownloadCommand download = new DownloadCommand();
        new CommandLine(download.spec).parseArgs(args);
        return download.sessionConfig(1).peer().encryption();
    }
}
