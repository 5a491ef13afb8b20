package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.freePort;
import static org.jtorrent.engine.MagnetSwarmTest.assertSameBytes;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.testing.External;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ut_metadata against libtorrent 2.0, engine level, both ways: our magnet leecher fetches the
 * metadata from a libtorrent seeder and completes; a libtorrent leecher given only a magnet link
 * fetches it from our seeder and completes. Every byte compared. Run in a private network namespace
 * ({@code unshare -n}); libtorrent is bound to 127.0.0.1 in any case.
 */
@Tag("interop")
@Timeout(180)
class MagnetInteropTest {
    @TempDir
    Path dir;

    /** A tree whose metadata spans several blocks: 700 files in nested folders, an empty one among them. */
    private static TestTorrent tree() {
        Spec[] files = new Spec[700];
        for (int i = 0; i < files.length; i++) files[i] = Spec.file("d" + (i % 13) + "/sub" + (i % 5) + "/f" + i + ".bin", i == 7 ? 0 : 1000 + 37 * i);
        return TestTorrent.multi("lt-magnet-tree", 64 * 1024, files);
    }

    @Test
    void ourMagnetLeecherFetchesMetadataFromALibtorrentSeederAndCompletes() throws Exception {
        TestTorrent t = tree();
        Path data = dir.resolve("lt-data");
        t.writeTo(data);
        Path torrentFile = t.writeTorrent(dir.resolve("t.torrent"));
        int ltPort = freePort();
        External lt = InteropTest.libtorrentSeeder(dir.resolve("lt-seed.log"), torrentFile, data, ltPort);
        try {
            Path out = dir.resolve("out");
            SessionConfig config = SessionConfig.defaults();
            try (Session session = new Session(config.withLimits(config.limits().quick()))) {
                session.start();
                MagnetLink magnet = new MagnetLink(t.metainfo().infoHash(), Optional.empty(), List.of(),
                        List.of(new InetSocketAddress("127.0.0.1", ltPort)), List.of(), Optional.empty());
                TorrentHandle h = session.add(magnet, TorrentOptions.in(out));
                try {
                    h.completion().get(90, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("not complete: " + h.state() + " " + h.status().progress() + "\n" + lt.log(), e);
                }
                assertThat(h.metainfo().orElseThrow().infoHash()).isEqualTo(t.metainfo().infoHash());
                assertThat(h.adoptedConnections()).as("the connection to libtorrent made before the metadata went on")
                        .anyMatch(c -> c.downloaded() > 0);
            }
            assertSameBytes(t, out);
        } finally {
            lt.stop();
        }
    }

    @Test
    void aLibtorrentLeecherGivenOnlyAMagnetFetchesMetadataFromOurSeederAndCompletes() throws Exception {
        TestTorrent t = tree();
        Path python = RealPeers.pythonWithLibtorrent();
        Path script = Path.of(MagnetInteropTest.class.getResource("/interop/lt_magnet_leech.py").toURI());
        Path data = dir.resolve("seed");
        t.writeTo(data);
        SessionConfig config = SessionConfig.defaults();
        try (Session session = new Session(config.withLimits(config.limits().quick()))) {
            session.start();
            TorrentHandle seed = session.add(t.metainfo(), TorrentOptions.in(data));
            seed.completion().get(30, TimeUnit.SECONDS);
            Path out = dir.resolve("lt-out");
            String magnet = "magnet:?xt=urn:btih:" + t.metainfo().infoHash().hex();
            External leech = External.start(dir.resolve("lt-leech.log"), python.toString(), script.toString(), magnet,
                    out.toString(), "--port", String.valueOf(freePort()), "--peer", "127.0.0.1:" + session.listenPort(),
                    "--timeout", "90");
            try {
                assertThat(leech.waitFor(Duration.ofSeconds(100))).as("libtorrent magnet leecher exit code\n" + leech.log()).isZero();
            } finally {
                leech.stop();
            }
            assertThat(Files.readString(dir.resolve("lt-leech.log")))
                    .contains("metadata received lt-magnet-tree " + t.metainfo().infoBytes().length);
            assertSameBytes(t, out);
            assertThat(seed.status().uploadedBytes()).isGreaterThanOrEqualTo(t.metainfo().info().totalLength());
        }
    }
}
