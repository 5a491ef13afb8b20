package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --state}: the commands keep their torrents in the state directory and find them there again. */
@Timeout(60)
class StateDirectoryCliTest {
    @TempDir
    Path dir;

    @Test
    void aSecondRunWithTheSameStateTakesTheTorrentItKeptAndSaysWhatElseRuns() throws Exception {
        TestTorrent a = TestTorrent.single("a.bin", 100_000, 16 * 1024);
        TestTorrent b = TestTorrent.single("b.bin", 50_000, 16 * 1024);
        Path aFile = a.writeTorrent(dir.resolve("a.torrent"));
        Path bFile = b.writeTorrent(dir.resolve("b.torrent"));
        Path state = dir.resolve("state");
        Path out = dir.resolve("out");
        try (Session seeder = new Session(SessionConfig.defaults())) {
            for (TestTorrent t : new TestTorrent[] {a, b}) {
                t.writeTo(dir.resolve("seed"));
                seeder.add(t.metainfo(), TorrentOptions.in(dir.resolve("seed")));
            }
            seeder.start();
            String peer = "127.0.0.1:" + seeder.listenPort();
            CliTest.Result first = CliTest.run("download", aFile.toString(), "-o", out.toString(), "--peer", peer, "--port", "0",
                    "--state", state.toString());
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(Files.list(state.resolve("torrents")).map(p -> p.getFileName().toString()))
                    .contains(a.metainfo().infoHash().hex() + ".settings", a.metainfo().infoHash().hex() + ".torrent");

            // a again, asked into another folder: the session has it complete where it was, and says so.
            CliTest.Result again = CliTest.run("download", aFile.toString(), "-o", dir.resolve("elsewhere").toString(), "--json",
                    "--state", state.toString(), "--port", "0");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("\"complete\":true", "\"downloaded_bytes\":0");
            assertThat(again.err()).contains("a.bin: stays in " + out.toAbsolutePath() + ", where the state directory has it");

            // b with the same state: a comes back too, and the user is told.
            CliTest.Result other = CliTest.run("download", bFile.toString(), "-o", out.toString(), "--peer", peer, "--port", "0",
                    "--state", state.toString());
            assertThat(other.code()).as(other.err()).isZero();
            assertThat(other.err()).contains("also running: 1 more torrent from the state directory " + state);
            assertThat(other.out().lines()).singleElement().asString().startsWith("b.bin: complete: ");
        }
        assertThat(Files.readAllBytes(out.resolve("a.bin"))).isEqualTo(a.content());
        assertThat(Files.readAllBytes(out.resolve("b.bin"))).isEqualTo(b.content());
    }

    @Test
    void aStateDirectoryInUseIsAOneLineError() throws Exception {
        Path t = TestTorrent.single("a.bin", 1000, 16 * 1024).writeTorrent(dir.resolve("a.torrent"));
        Path state = dir.resolve("state");
        try (StateDirectory busy = StateDirectory.open(state)) {
            CliTest.Result r = CliTest.run("download", t.toString(), "-o", dir.toString(), "--port", "0", "--state", state.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("jtorrent download: state directory " + state
                    + " is in use by another jtorrent session (--state DIR names another)" + System.lineSeparator());
            CliTest.Result seed = CliTest.run("seed", t.toString(), "--data", dir.toString(), "--port", "0", "--state", state.toString());
            assertThat(seed.code()).isEqualTo(1);
            assertThat(seed.err()).startsWith("jtorrent seed: state directory " + state + " is in use");
        }
    }
}
