package org.jtorrent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jtorrent.choke.ChokerConfig;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.TransferLimits;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real seeder on loopback: its counts add up, and it bounds its waits. */
@Timeout(60)
class PeerLoadTest {
    @TempDir
    Path dir;

    private static Map<String, String> fields(String line) {
        Map<String, String> map = new HashMap<>();
        for (String kv : line.split(" ")) {
            String[] p = kv.split("=", 2);
            map.put(p[0], p[1]);
        }
        return map;
    }

    @Test
    void everyConnectionIsServedAndEveryRequestAnswered() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        byte[] content = new byte[2 * 1024 * 1024 + 1234];
        new Random(1).nextBytes(content);
        Files.write(data.resolve("load.bin"), content);
        Path torrents = Files.createDirectories(dir.resolve("torrents"));
        Path torrent = torrents.resolve("load.torrent");
        Files.write(torrent, new TorrentCreator(data.resolve("load.bin")).pieceLength(256 * 1024).create());
        TransferLimits allUnchoked = TransferLimits.DEFAULT.withChoker(ChokerConfig.DEFAULT.withSlots(30));
        try (Download seed = Download.start(Metainfo.load(torrent), DownloadOptions.defaults(data, List.of())
                .withMaxPeers(40).withLimits(allUnchoked))) {
            String line = PeerLoad.run(PeerLoad.parse(new String[] {"127.0.0.1", String.valueOf(seed.listenPort()),
                    torrents.toString(), "20", "2", "--interval-ms=200", "--idle-seconds=0"}));
            Map<String, String> f = fields(line);
            assertThat(f).containsEntry("established", "20").containsEntry("refused", "0").containsEntry("unchoked", "20")
                    .containsEntry("errors", "0").containsEntry("dropped", "0").containsEntry("open_at_end", "20");
            assertThat(Long.parseLong(f.get("pieces"))).isGreaterThan(20).isEqualTo(Long.parseLong(f.get("requests")) - inFlight(f));
            assertThat(Double.parseDouble(f.get("p50_ms"))).isPositive();
        }
    }

    /** Requests may still be in flight when the run ends: at most one per open connection. */
    private static long inFlight(Map<String, String> f) {
        long gap = Long.parseLong(f.get("requests")) - Long.parseLong(f.get("pieces"));
        assertThat(gap).isBetween(0L, Long.parseLong(f.get("open_at_end")));
        return gap;
    }

    @Test
    void aListenerThatNeverAnswersCountsAsRefusedWithinTheTimeout() throws Exception {
        Path torrents = Files.createDirectories(dir.resolve("t"));
        Path file = Files.write(dir.resolve("x.bin"), new byte[1000]);
        Files.write(torrents.resolve("x.torrent"), new TorrentCreator(file).pieceLength(16 * 1024).create());
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) { // accepts (backlog), never speaks
            long start = System.nanoTime();
            String line = PeerLoad.run(PeerLoad.parse(new String[] {"127.0.0.1", String.valueOf(silent.getLocalPort()),
                    torrents.toString(), "5", "0", "--idle-seconds=0", "--timeout-ms=500"}));
            assertThat(fields(line)).containsEntry("established", "0").containsEntry("refused", "5");
            assertThat((System.nanoTime() - start) / 1_000_000).as("bounded by the timeout").isLessThan(10_000);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> PeerLoad.parse(new String[] {"h", "1", dir.toString(), "0", "1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerLoad.parse(new String[] {"h", "1", dir.toString(), "5", "1"}))
                .isInstanceOf(IOException.class).hasMessageContaining("no .torrent files");
        assertThatThrownBy(() -> PeerLoad.parse(new String[] {"h", "1", dir.toString(), "5", "1", "--bogus=1"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
