package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.state.TorrentSettings;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.storage.Storage;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.TrackerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} in the middle of a download, the honest way: the download runs in a child JVM
 * with a state directory, which is killed with SIGKILL (no shutdown hook, no close, no last save)
 * once part of the torrent is verified. Started again from the same state directory, the download
 * finds its torrent there, trusts only pieces that really are on disk, fetches at most the missing
 * part plus the partial pieces that were in memory, and ends byte-exact.
 */
@Timeout(90)
class StateKillTest {
    private static final int PIECE = 64 * 1024;
    /** Partial pieces held in memory: what a kill may lose beyond what was not yet downloaded. */
    private static final long PARTIAL_PIECE_CAP = 16L * PIECE;
    private static final Duration SAVE_EVERY = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private final TestTorrent t = TestTorrent.multi("killed", PIECE, file("a.bin", 1_500_000), file("sub/b.bin", 2_000_000),
            file("c.bin", 700_001));

    @Test
    void aDownloadKilledWithSigkillResumesFromTheStateDirectory() throws Exception {
        long total = t.metainfo().info().totalLength();
        Path seedDir = dir.resolve("seed");
        t.writeTo(seedDir);
        Path torrentFile = t.writeTorrent(dir.resolve("killed.torrent"));
        Path leechDir = dir.resolve("leech");
        Path stateDir = dir.resolve("state");
        DownloadOptions seedOptions = DownloadOptions.defaults(seedDir, List.of())
                .withLimits(TransferLimits.DEFAULT.quick().withUpload(RateLimiter.of(TokenBucket.perSecond(1 << 20))));
        try (Download seed = Download.start(t.metainfo(), seedOptions)) {
            long reported = downloadInChildAndKill(torrentFile, leechDir, stateDir, seed.listenPort(), total * 2 / 5);

            try (StateDirectory state = StateDirectory.open(stateDir)) { // the dead child's lock is gone
                StateDirectory.Loaded loaded = state.load();
                assertThat(loaded.warnings()).isEmpty();
                StateDirectory.StoredTorrent stored = loaded.torrents().get(0);
                assertThat(loaded.torrents()).hasSize(1);
                byte[] given = Files.readAllBytes(torrentFile);
                assertThat(stored.torrentFile()).hasValueSatisfying(b -> assertThat(b).isEqualTo(given));
                assertThat(stored.settings().savePath()).isEqualTo(leechDir.toAbsolutePath());
                assertThat(stored.settings().totalDownloaded()).as("counters saved while running").isPositive();
                Metainfo m = stored.metainfo().orElseThrow();

                var resumed = state.loadResume(m.infoHash(), leechDir, m.info());
                // Files written since the last periodic save, unless the kill fell right after one.
                assertThat(resumed).as("periodic resume data").isPresent();
                assertThat(resumed.get().have().cardinality()).isPositive();
                assertEveryPieceIsOnDisk(m, leechDir, resumed.get());

                DownloadOptions options = DownloadOptions.defaults(leechDir,
                        List.of(new InetSocketAddress("127.0.0.1", seed.listenPort()))).withTrackers(false, TrackerConfig.DEFAULT)
                        .withMemoryCap(PARTIAL_PIECE_CAP);
                long downloadedAgain;
                try (Download again = Download.start(m, options, state, SAVE_EVERY)) {
                    assertThat(again.awaitComplete(Duration.ofSeconds(60))).isTrue();
                    downloadedAgain = again.result().downloadedBytes();
                }
                assertThat(downloadedAgain).as("only the missing part plus at most the partial pieces in memory")
                        .isLessThanOrEqualTo(total - reported + PARTIAL_PIECE_CAP);
                for (FileEntry f : m.info().files()) {
                    assertThat(Files.readAllBytes(f.resolveIn(leechDir))).as(f.displayPath()).isEqualTo(t.expected(f));
                }
                assertThat(state.loadResume(m.infoHash(), leechDir, m.info()))
                        .as("the clean close vouches for everything").hasValueSatisfying(r -> {
                            assertThat(r.othersMayBeOnDisk()).isFalse();
                            assertThat(r.have().cardinality()).isEqualTo(m.info().pieceCount());
                        });
            }
        }
    }

    /**
     * Runs {@link Child}, kills it with SIGKILL once it reports {@code killAt} bytes verified and has
     * saved its state with some of them at least once; returns its last report.
     */
    private long downloadInChildAndKill(Path torrentFile, Path leechDir, Path stateDir, int seedPort, long killAt) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(javaBin.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), torrentFile.toString(), leechDir.toString(), stateDir.toString(),
                String.valueOf(seedPort)).redirectError(dir.resolve("child.log").toFile()).start();
        long reported = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                reported = Long.parseLong(line.trim());
                if (reported >= killAt && savedDownloadedBytes(stateDir) > 0) break;
            }
            child.destroyForcibly(); // SIGKILL on Linux and macOS
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed by signal 9, see " + dir.resolve("child.log")).isEqualTo(128 + 9);
        assertThat(reported).as("the child got far enough").isGreaterThanOrEqualTo(killAt);
        assertThat(reported).as("and was not complete").isLessThan(t.metainfo().info().totalLength());
        return reported;
    }

    /** What the child's last save says it downloaded (0 before its first save with data). */
    private long savedDownloadedBytes(Path stateDir) throws Exception {
        Path settings = stateDir.resolve("torrents").resolve(t.metainfo().infoHash().hex() + ".settings");
        if (!Files.exists(settings)) return 0;
        return TorrentSettings.decode(Files.readAllBytes(settings)).totalDownloaded(); // replaced atomically: never torn
    }

    /** No piece the resume data vouches for may be missing or wrong on disk. */
    private static void assertEveryPieceIsOnDisk(Metainfo m, Path folder, ResumeData.Loaded resumed) throws Exception {
        try (Storage storage = Storage.open(m.info(), folder, Storage.Options.DEFAULT)) {
            ByteBuffer chunk = ByteBuffer.allocate(PIECE);
            for (int p = resumed.have().nextSetBit(0); p >= 0; p = resumed.have().nextSetBit(p + 1)) {
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                assertThat(storage.digestPiece(p, sha1, chunk) && m.info().hashMatches(p, sha1.digest()))
                        .as("piece %d, listed by the resume data", p).isTrue();
            }
        }
    }

    /** In the child JVM: the download with a state directory, printing the bytes verified until killed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path torrentFile = Path.of(args[0]);
            Metainfo m = Metainfo.load(torrentFile);
            StateDirectory state = StateDirectory.open(Path.of(args[2]));
            state.saveTorrentFile(m.infoHash(), Files.readAllBytes(torrentFile));
            DownloadOptions options = DownloadOptions.defaults(Path.of(args[1]),
                            List.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[3]))))
                    .withTrackers(false, TrackerConfig.DEFAULT).withMemoryCap(PARTIAL_PIECE_CAP);
            Download d = Download.start(m, options, state, SAVE_EVERY);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) { // never closes: the parent kills it
                System.out.println(d.torrent().verifiedBytes());
                System.out.flush();
                Thread.sleep(20);
            }
        }
    }
}
