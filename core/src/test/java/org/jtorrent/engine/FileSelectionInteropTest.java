package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.awaitListening;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jtorrent.testing.External;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File selection against real seeders (libtorrent, aria2, Transmission): a subset of a multi-file
 * torrent whose wanted files share pieces with unwanted ones and a padding file; the wanted files
 * byte-exact and the others absent; then the rest selected while running completes the torrent
 * without fetching the shared pieces again. Run in a private network namespace ({@code unshare -n}).
 */
@Tag("interop")
@Timeout(150)
class FileSelectionInteropTest {
    @TempDir
    Path dir;

    interface Seeder {
        External start(Path torrentFile, Path data, int port) throws IOException;
    }

    @Test
    void subsetThenRestFromLibtorrent() throws Exception {
        subsetThenRest((torrent, data, port) -> InteropTest.libtorrentSeeder(dir.resolve("lt-seed.log"), torrent, data, port));
    }

    @Test
    void subsetThenRestFromAria2() throws Exception {
        subsetThenRest((torrent, data, port) -> InteropTest.aria2Seeder(dir.resolve("aria2-seed.log"), torrent, data, port));
    }

    /** Transmission waits ~10 s before it unchokes, and again once we are interested anew. */
    @Test
    void subsetThenRestFromTransmission() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        subsetThenRest((torrent, data, port) -> External.start(dir.resolve("tr-seed.log"), "sh",
                RealPeers.harness().resolve("tr_run.sh").toString(), "seed", torrent.toString(), data.toString(),
                String.valueOf(port)));
    }

    private void subsetThenRest(Seeder seeder) throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        Path torrentFile = t.writeTorrent(dir.resolve("sel.torrent"));
        Path data = dir.resolve("seed");
        writeWithPadding(t, data);
        int port = freePort();
        External running = seeder.start(torrentFile, data, port);
        try {
            awaitListening(port, running);
            Path out = dir.resolve("out");
            DownloadOptions options = DownloadOptions.defaults(out, List.of(new InetSocketAddress("127.0.0.1", port)))
                    .withFilePriorities(StraddlingTorrent.SOME);
            try (Download d = Download.start(t.metainfo(), options)) {
                assertThat(d.awaitComplete(Duration.ofSeconds(60))).as("subset complete\n" + running.log()).isTrue();
                assertThat(d.torrent().have()).isEqualTo(StraddlingTorrent.wantedPieces());
                FileSelectionSwarmTest.assertSubset(t, out);
                long firstPhase = d.torrent().verifiedBytes();
                assertThat(firstPhase).isEqualTo(FileSelectionSwarmTest.bytes(t, StraddlingTorrent.wantedPieces()));

                d.torrent().filePriorities(StraddlingTorrent.ALL);
                assertThat(d.awaitComplete(Duration.ofSeconds(60))).as("rest complete\n" + running.log()).isTrue();
                assertThat(d.torrent().isSeed()).isTrue();
                assertThat(d.torrent().verifiedBytes() - firstPhase).as("the shared pieces are not fetched again")
                        .isEqualTo(FileSelectionSwarmTest.bytes(t, StraddlingTorrent.restPieces()));
            }
            FileSelectionSwarmTest.assertAllFiles(t, out);
        } finally {
            running.stop();
        }
    }

    /**
     * The seeder's copy, padding files written as zeros too: libtorrent never reads them, but aria2
     * and Transmission 3.00 treat them as ordinary files and would not seed without them.
     */
    private static void writeWithPadding(TestTorrent t, Path data) throws IOException {
        t.writeTo(data);
        for (FileEntry f : t.metainfo().info().files()) {
            if (!f.isPadding()) continue;
            Path p = f.resolveIn(data);
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[(int) f.length()]);
        }
    }

    /** Sequential mode against libtorrent: every piece verifies less than a window past the first one missing. */
    @Test
    void sequentialFromLibtorrentStaysWithinTheWindow() throws Exception {
        TestTorrent t = TestTorrent.single("stream.bin", 4 * 1024 * 1024, 16 * 1024);
        Path torrentFile = t.writeTorrent(dir.resolve("stream.torrent"));
        Path data = dir.resolve("seed");
        t.writeTo(data);
        int port = freePort();
        External running = InteropTest.libtorrentSeeder(dir.resolve("lt-seed.log"), torrentFile, data, port);
        try {
            awaitListening(port, running);
            List<Integer> outside = FileSelectionSwarmTest.downloadRecordingOrder(t, dir.resolve("out"), true, 8,
                    List.of(new InetSocketAddress("127.0.0.1", port)));
            assertThat(outside).as("pieces verified a window or more past the first missing one").isEmpty();
        } finally {
            running.stop();
        }
    }
}
