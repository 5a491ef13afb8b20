package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.testing.ListeningSockets;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sessions in one JVM over loopback, many torrents between them at once: one session seeds 20
 * torrents (single and multi-file), the other downloads all 20 at once, every torrent dialling
 * the seeding session's one port. Each session listens on exactly one socket, every torrent
 * advertises that port, and every byte arrives intact.
 */
@Timeout(90)
class SessionSwarmTest {
    private static final int TORRENTS = 20;

    @TempDir
    Path dir;

    @Test
    void twentyTorrentsAtOnceBetweenTwoSessionsEachOnOnePort() throws Exception {
        List<TestTorrent> torrents = mixed(TORRENTS, 1);
        Path seedDir = dir.resolve("seed");
        for (TestTorrent t : torrents) t.writeTo(seedDir);
        Set<Integer> listenersBefore = ListeningSockets.ofThisProcess();

        try (Session seeding = new Session(allActive(SessionConfig.defaults()));
             Session leeching = new Session(allActive(SessionConfig.defaults()))) {
            seeding.start();
            List<TorrentHandle> seeds = new ArrayList<>();
            for (TestTorrent t : torrents) seeds.add(seeding.add(t.metainfo(), TorrentOptions.in(seedDir)));
            for (TorrentHandle h : seeds) h.completion().get(30, TimeUnit.SECONDS); // checked: they have every piece

            leeching.start();
            InetSocketAddress seeder = new InetSocketAddress("127.0.0.1", seeding.listenPort());
            Path out = dir.resolve("out");
            List<TorrentHandle> leeches = new ArrayList<>();
            for (TestTorrent t : torrents) leeches.add(leeching.add(t.metainfo(), TorrentOptions.in(out).withPeers(List.of(seeder))));
            CompletableFuture.allOf(leeches.stream().map(TorrentHandle::completion).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);

            assertOnePort(seeding, listenersBefore, seeding.listenPort(), leeching.listenPort());
            assertOnePort(leeching, listenersBefore, seeding.listenPort(), leeching.listenPort());
            for (int i = 0; i < TORRENTS; i++) {
                long size = torrents.get(i).metainfo().info().totalLength();
                TorrentStatus got = leeches.get(i).status();
                assertThat(got.state()).as(got.name()).isEqualTo(TorrentState.SEEDING);
                assertThat(got.isComplete()).as(got.name()).isTrue();
                assertThat(got.downloadedBytes()).as(got.name()).isGreaterThanOrEqualTo(size);
                // Each seeding torrent served its own payload, all of it through the one port.
                assertThat(seeds.get(i).status().uploadedBytes()).as(got.name()).isGreaterThanOrEqualTo(size);
            }
            // One peer id per session, whatever the torrent.
            assertThat(seeds).allMatch(h -> h.liveTorrent().orElseThrow().localId().equals(seeding.peerId()));
            assertThat(leeches).allMatch(h -> h.liveTorrent().orElseThrow().localId().equals(leeching.peerId()));
        }
        for (TestTorrent t : torrents) assertSameFiles(t, dir.resolve("out"));
    }

    /**
     * {@code count} torrents, alternately a single file and a tree (nested folders, an empty file,
     * files across piece boundaries, a one-byte last piece), each with its own name and content.
     * {@code scale} (a power of two) multiplies their sizes and piece lengths: 1 gives 0.2-0.6 MB each in 16-64 KiB pieces.
     */
    static List<TestTorrent> mixed(int count, int scale) {
        List<TestTorrent> torrents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int piece = scale * (16 * 1024 << (i % 3));
            if (i % 2 == 0) {
                torrents.add(TestTorrent.single("single-" + i + ".bin", scale * (200_000 + 37_123 * i) + 1, piece));
            } else {
                torrents.add(TestTorrent.multi("tree-" + i, piece,
                        file("a/b/deep.bin", scale * (90_001 + 1_000 * i)),
                        file("a/empty.txt", 0),
                        file("a/mid.bin", scale * 150_000),
                        file("top.bin", 12_345 + i),
                        file("z/last.bin", scale * 65_536 + 1)));
            }
        }
        return torrents;
    }

    /** Every torrent active at once: the 20 here must not wait in the default queue of 5 downloads and 10 seeds. */
    static SessionConfig allActive(SessionConfig config) {
        return config.withQueue(TORRENTS, TORRENTS, config.inactiveAfter(), config.inactiveRate());
    }

    /**
     * The session listens on one socket (the only listeners this process opened since
     * {@code before} are the sessions' {@code ports}), and every torrent in it advertises that port
     * to its peers and trackers.
     */
    static void assertOnePort(Session session, Set<Integer> before, Integer... ports) throws IOException {
        assertThat(session.listenPort()).isPositive();
        Set<Integer> opened = new java.util.TreeSet<>(ListeningSockets.ofThisProcess());
        opened.removeAll(before);
        assertThat(opened).as("listening sockets opened by the sessions").containsExactlyInAnyOrder(ports);
        for (TorrentHandle h : session.torrents()) {
            assertThat(h.liveTorrent()).as(h + " is running").isPresent();
            assertThat(h.liveTorrent().orElseThrow().listenPort()).as(h + " advertises the session's port")
                    .isEqualTo(session.listenPort());
        }
    }
}
