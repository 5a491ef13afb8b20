package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Torrents added by magnet link: the metadata phase, then an ordinary download over the same connections. */
@Timeout(120)
class MagnetSwarmTest {
    @TempDir
    Path dir;

    private final QuickSessions sessions = new QuickSessions();

    @AfterEach
    void closeSessions() throws IOException {
        sessions.close();
    }

    static MagnetLink magnet(TestTorrent t, List<InetSocketAddress> peers) {
        return new MagnetLink(t.metainfo().infoHash(), Optional.of(t.metainfo().info().name()), List.of(), peers, List.of(),
                Optional.empty());
    }

    static InetSocketAddress at(Session s) {
        return new InetSocketAddress("127.0.0.1", s.listenPort());
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static void assertSameBytes(TestTorrent t, Path folder) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            if (f.isPadding()) continue;
            assertThat(Files.readAllBytes(f.resolveIn(folder))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }

    @Test
    void aMagnetLeecherFetchesTheMetadataThenDownloadsOverTheSameConnection() throws Exception {
        TestTorrent t = TestTorrent.multi("magnet-multi", 32 * 1024, Spec.file("a.bin", 300_000), Spec.file("sub/b.bin", 123_457),
                Spec.file("empty.txt", 0));
        Session seeder = sessions.seeding(t, dir.resolve("seed"));
        Session leecher = sessions.start();
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        leecher.listen(events::add);
        Path out = dir.resolve("leech");
        TorrentHandle h = leecher.add(magnet(t, List.of(at(seeder))), TorrentOptions.in(out));
        h.completion().get(60, TimeUnit.SECONDS);

        assertSameBytes(t, out);
        assertThat(h.metainfo()).isPresent();
        assertThat(h.metainfo().get().infoHash()).isEqualTo(t.metainfo().infoHash());
        assertThat(h.metainfo().get().info().files()).hasSameSizeAs(t.metainfo().info().files());
        await(() -> events.stream().anyMatch(e -> e instanceof SessionEvent.Completed), "the completed event");
        assertThat(events).filteredOn(e -> e instanceof SessionEvent.StateChanged).first()
                .isEqualTo(new SessionEvent.StateChanged(t.metainfo().infoHash(), TorrentState.FETCHING_METADATA, TorrentState.CHECKING));
        // The metadata is announced before the torrent moves on with it.
        assertThat(events.indexOf(new SessionEvent.MetadataReceived(t.metainfo().infoHash())))
                .isLessThan(events.indexOf(new SessionEvent.StateChanged(t.metainfo().infoHash(), TorrentState.FETCHING_METADATA,
                        TorrentState.CHECKING)));
        assertThat(events).anyMatch(e -> e instanceof SessionEvent.MetadataReceived);
        // The connection made before the metadata is the one that downloaded the pieces: kept, not redialled.
        List<PeerConnection> adopted = h.adoptedConnections();
        assertThat(adopted).isNotEmpty();
        assertThat(adopted).anyMatch(c -> c.downloaded() == t.metainfo().info().totalLength());
    }

    /**
     * Each of the magnet's trackers is a tier of its own (both are announced to, not the second only
     * when the first fails), and they hear left = 16 KiB while the size is unknown, as libtorrent
     * sends; the peer one of them gives completes the download.
     */
    @Test
    void aMagnetAnnouncesToEachTrackerWithLeftUnknownAndDownloadsFromThePeerItGets() throws Exception {
        TestTorrent t = TestTorrent.single("tracked.bin", 150_000, 16 * 1024);
        Session seeder = sessions.seeding(t, dir.resolve("seed"));
        byte[] compact = {127, 0, 0, 1, (byte) (seeder.listenPort() >> 8), (byte) seeder.listenPort()};
        byte[] withPeer = concat("d8:intervali1800e5:peers6:".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), compact,
                new byte[] {'e'});
        try (var first = org.jtorrent.testing.ScriptedHttpTracker.start((n, target) -> org.jtorrent.testing.ScriptedHttpTracker.reply(withPeer));
             var second = org.jtorrent.testing.ScriptedHttpTracker.start((n, target) ->
                     org.jtorrent.testing.ScriptedHttpTracker.reply("d8:intervali1800e5:peers0:e"))) {
            Session leecher = sessions.start();
            Path out = dir.resolve("leech");
            MagnetLink m = new MagnetLink(t.metainfo().infoHash(), Optional.empty(),
                    List.of(first.uri().toString(), second.uri().toString()), List.of(), List.of(), Optional.empty());
            TorrentHandle h = leecher.add(m, TorrentOptions.in(out));
            h.completion().get(60, TimeUnit.SECONDS);
            assertSameBytes(t, out);
            for (var tracker : List.of(first, second)) {
                assertThat(tracker.requests()).as("announces to " + tracker.uri())
                        .anyMatch(r -> r.contains("&event=started") && r.contains("&left=16384"));
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return all.toByteArray();
    }
}
