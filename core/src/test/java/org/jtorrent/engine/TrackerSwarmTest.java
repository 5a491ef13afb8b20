package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.testing.TestTorrent.Spec.file;
import static org.jtorrent.testing.TestTorrent.Spec.pad;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.SelfFilter;
import org.jtorrent.tracker.TrackerClient;
import org.jtorrent.tracker.TrackerConfig;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** jtorrents that find each other only through trackers (the embedded one, in this JVM). */
@Timeout(60)
class TrackerSwarmTest {
    @TempDir
    Path dir;

    private static final TrackerConfig QUICK = TrackerConfig.DEFAULT.withAttemptTimeout(Duration.ofSeconds(3));

    /**
     * One seeder, two leechers, no --peer: tier 1 is a dead HTTP tracker then our UDP tracker, tier
     * 2 our HTTP tracker. Each leecher gets the seeder (and the other leecher) from the tracker,
     * completes byte-exact, and on close tells the tracker it stopped.
     */
    @Test
    void seederAndTwoLeechersMeetThroughTrackers() throws Exception {
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback())) {
            String dead = "http://127.0.0.1:" + unusedPort() + "/announce";
            TestTorrent t = TestTorrent.multi("tree", 32 * 1024, file("a/one.bin", 300_001), file("b/two.bin", 200_000),
                    file("empty", 0)).withTrackers(List.of(
                    List.of(dead, tracker.udpAnnounceUri().toString()),
                    List.of(tracker.httpAnnounceUri().toString())));
            Path seedDir = dir.resolve("seed");
            t.writeTo(seedDir);
            try (Download seed = Download.start(t.metainfo(), options(seedDir))) {
                awaitPeers(tracker, t, 1);
                List<Download> leechers = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) leechers.add(Download.start(t.metainfo(), options(dir.resolve("leech" + i))));
                    for (Download l : leechers) assertThat(l.awaitComplete(Duration.ofSeconds(30))).isTrue();
                    assertThat(tracker.peerCount(t.metainfo().infoHash())).isEqualTo(3);
                    // "completed" with left = 0 from each leecher: three seeders, two downloads.
                    awaitScrape(tracker, t, new ScrapeStats(3, 2, 0));
                } finally {
                    for (Download l : leechers) l.close();
                }
                for (int i = 0; i < 2; i++) {
                    for (FileEntry f : t.metainfo().info().files()) {
                        assertThat(Files.readAllBytes(f.resolveIn(dir.resolve("leech" + i)))).as(f.displayPath())
                                .isEqualTo(t.expected(f));
                    }
                }
                awaitPeers(tracker, t, 1); // both leechers sent "stopped"
            }
            awaitPeers(tracker, t, 0);
        }
    }

    @Test
    void leftCountsPayloadNotPadding() throws Exception {
        TestTorrent t = TestTorrent.multi("padded", 16 * 1024, file("a", 10_000), pad(16 * 1024 - 10_000), file("b", 5_000));
        try (Download empty = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("empty"), List.of()))) {
            assertThat(empty.torrent().leftBytes()).isEqualTo(15_000);
        }
        t.writeTo(dir.resolve("full"));
        try (Download full = Download.start(t.metainfo(), DownloadOptions.defaults(dir.resolve("full"), List.of()))) {
            assertThat(full.torrent().leftBytes()).isZero();
        }
    }

    private static DownloadOptions options(Path folder) {
        return DownloadOptions.defaults(folder, List.of()).withTrackers(true, QUICK);
    }

    private static void awaitPeers(TrackerServer tracker, TestTorrent t, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (tracker.peerCount(t.metainfo().infoHash()) != count) {
            assertThat(System.nanoTime()).as("tracker holds " + count + " peers").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitScrape(TrackerServer tracker, TestTorrent t, ScrapeStats expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (TrackerClient c = TrackerClient.forUri(tracker.httpAnnounceUri(), QUICK, SelfFilter.forPort(1), Clock.systemUTC())) {
            while (true) {
                ScrapeStats s = c.scrape(List.of(t.metainfo().infoHash()), Duration.ofSeconds(2)).get(t.metainfo().infoHash());
                if (expected.equals(s)) return;
                assertThat(System.nanoTime()).as("scrape " + s + " becomes " + expected).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
