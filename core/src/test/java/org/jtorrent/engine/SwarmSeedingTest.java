package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A swarm of jtorrents in this JVM: one seeder held to 8 MB/s and eight leechers of a 64 MiB file,
 * meeting through the embedded tracker, with short choke intervals. The leechers must trade among
 * themselves: every one of them uploads, and the seeder sends far less than one copy per leecher.
 */
@Timeout(180)
class SwarmSeedingTest {
    private static final int SIZE = 64 * 1024 * 1024;
    private static final int LEECHERS = 8;

    @TempDir
    Path dir;

    @Test
    void leechersTradeAmongThemselvesWhileTheSeederIsCapped() throws Exception {
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(2))
                .withPerAddress(TrackerServerConfig.PerAddressLimits.NONE))) {
            TestTorrent t = TestTorrent.single("swarm.bin", SIZE, 256 * 1024)
                    .withTrackers(List.of(List.of(tracker.httpAnnounceUri().toString())));
            Path seedDir = dir.resolve("seed");
            t.writeTo(seedDir);
            TransferLimits quick = TransferLimits.DEFAULT.quick();
            TransferLimits capped = quick.withUpload(RateLimiter.of(TokenBucket.perSecond(8_000_000)));
            TrackerConfig trackerConfig = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(3));
            List<Download> leechers = new ArrayList<>();
            try (Download seeder = Download.start(t.metainfo(),
                    DownloadOptions.defaults(seedDir, List.of()).withTrackers(true, trackerConfig).withLimits(capped))) {
                for (int i = 0; i < LEECHERS; i++) {
                    leechers.add(Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("leech" + i), List.of())
                            .withTrackers(true, trackerConfig).withLimits(quick)));
                }
                for (Download l : leechers) assertThat(l.awaitComplete(Duration.ofSeconds(150))).isTrue();

                long seederUploaded = seeder.result().uploadedBytes();
                StringBuilder distribution = new StringBuilder(String.format("seeder uploaded %.1f MiB%n", seederUploaded / 1048576.0));
                for (int i = 0; i < LEECHERS; i++) {
                    DownloadResult r = leechers.get(i).result();
                    distribution.append(String.format("leech%d uploaded %.1f MiB, downloaded %.1f MiB%n", i,
                            r.uploadedBytes() / 1048576.0, r.downloadedBytes() / 1048576.0));
                }
                System.out.print(distribution);
                for (int i = 0; i < LEECHERS; i++) {
                    assertThat(leechers.get(i).result().uploadedBytes()).as("leech%d uploads%n%s", i, distribution).isPositive();
                    assertThat(Files.readAllBytes(dir.resolve("leech" + i).resolve("swarm.bin"))).isEqualTo(t.content());
                }
                assertThat(seederUploaded).as(distribution.toString()).isLessThan(3L * SIZE);
            } finally {
                for (Download l : leechers) l.close();
            }
        }
    }
}
