package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.MagnetSwarmTest.assertSameBytes;
import static org.jtorrent.engine.MagnetSwarmTest.at;
import static org.jtorrent.engine.MagnetSwarmTest.await;
import static org.jtorrent.engine.MagnetSwarmTest.magnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metadata.MetadataExchange;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.testing.FakeMetadataPeer;
import org.jtorrent.testing.FakeMetadataPeer.Script;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.jtorrent.wire.MetadataMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Magnet torrents against peers that lie about or refuse the metadata, many-block metadata from
 * several seeders, the user's commands while fetching, and the state directory.
 */
@Timeout(120)
class MagnetHostileTest {
    @TempDir
    Path dir;

    private final QuickSessions sessions = new QuickSessions();
    private final List<AutoCloseable> fakes = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        sessions.close();
        for (AutoCloseable f : fakes) f.close();
    }

    private Session session() throws IOException {
        return sessions.start(new Session(quick()));
    }

    /** The scripted peers speak plaintext only: no MSE attempt first (each would count as a connection of theirs). */
    private static SessionConfig quick() {
        SessionConfig config = QuickSessions.quick();
        return config.withPeerConfig(config.peer().withEncryption(EncryptionPolicy.DISABLE));
    }

    private Session seeder(TestTorrent t, String folder) throws Exception {
        return sessions.seeding(t, dir.resolve(folder));
    }

    private FakeMetadataPeer fake(TestTorrent t, Script script, int lastOctet) throws IOException {
        FakeMetadataPeer f = new FakeMetadataPeer(t, script, InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastOctet}));
        fakes.add(f);
        return f;
    }

    /** A torrent whose metadata takes many blocks: a few thousand small files. */
    static TestTorrent manyFiles(int count) {
        Spec[] files = new Spec[count];
        for (int i = 0; i < count; i++) {
            // Long names: the metadata grows by about 100 bytes a file, the data by little.
            files[i] = Spec.file("a-folder-with-a-rather-long-name-" + (i % 37) + "/and-a-file-with-a-long-name-too-" + i + ".bin",
                    50 + i % 200);
        }
        return TestTorrent.multi("many-files", 16 * 1024, files);
    }

    private static MetadataExchange exchange(TorrentHandle h) {
        return h.metadataExchange().orElseThrow();
    }

    /**
     * Alone, the hostile peer leaves the torrent fetching (it is dropped as a source or its connection
     * closed, the memory held stays within the honest size); an honest seeder added then completes it.
     */
    @ParameterizedTest
    @EnumSource(value = Script.class, names = {"LIAR", "HUGE_SIZE", "OVERSIZED", "REJECT_ALL"})
    void aHostileMetadataPeerIsDroppedAndAnHonestSeederBesideItCompletesTheDownload(Script script) throws Exception {
        TestTorrent t = manyFiles(300);
        assertThat(MetadataMessage.blockCount(t.metainfo().infoBytes().length)).isGreaterThan(1);
        Session honest = seeder(t, "seed");
        FakeMetadataPeer bad = fake(t, script, 2);
        Session leecher = session();
        Path out = dir.resolve("leech");
        TorrentHandle h = leecher.add(magnet(t, List.of(bad.address())), TorrentOptions.in(out));
        String badAddress = bad.address().getAddress().getHostAddress();
        switch (script) {
            case OVERSIZED -> await(() -> bad.disconnects.get() > 0, "the oversized message to close the connection");
            case LIAR -> await(() -> exchange(h).droppedSources().stream().anyMatch(d -> d.contains(badAddress) && d.contains("hash")),
                    "the liar dropped");
            case HUGE_SIZE -> await(() -> exchange(h).droppedSources().stream().anyMatch(d -> d.contains(badAddress) && d.contains("cap")),
                    "the 100 MiB claim dropped");
            default -> await(() -> exchange(h).droppedSources().stream().anyMatch(d -> d.contains(badAddress) && d.contains("rejected")),
                    "the rejecter dropped");
        }
        assertThat(h.state()).isEqualTo(TorrentState.FETCHING_METADATA);
        assertThat(h.metainfo()).isEmpty();
        assertThat(exchange(h).fetchBufferBytes()).isLessThanOrEqualTo(t.metainfo().infoBytes().length);
        if (script == Script.HUGE_SIZE) {
            assertThat(exchange(h).fetchBufferBytes()).isZero();
            assertThat(bad.metadataRequests.get()).isZero();
        }

        h.addPeers(List.of(at(honest)));
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, out);
        assertThat(h.metainfo().orElseThrow().infoHash()).isEqualTo(t.metainfo().infoHash());

        // Nothing is left running: closing the leecher ends every connection it had, the bad one's too.
        leecher.close();
        await(() -> bad.disconnects.get() == bad.connections.get(), "every connection of the bad peer closed");
        assertThat(leecher.connectionCount()).isZero();
    }

    /** Both at once from the start: whichever answers first, the metadata that is kept verifies and the download completes. */
    @ParameterizedTest
    @EnumSource(value = Script.class, names = {"LIAR", "HUGE_SIZE", "OVERSIZED", "REJECT_ALL"})
    void aHostileMetadataPeerBesideAnHonestSeederFromTheStartDoesNotStopTheDownload(Script script) throws Exception {
        TestTorrent t = manyFiles(400);
        Session honest = seeder(t, "seed");
        FakeMetadataPeer bad = fake(t, script, 6);
        Session leecher = session();
        Path out = dir.resolve("leech");
        TorrentHandle h = leecher.add(magnet(t, List.of(bad.address(), at(honest))), TorrentOptions.in(out));
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, out);
        assertThat(h.metainfo().orElseThrow().infoBytes()).isEqualTo(t.metainfo().infoBytes());
    }

    @Test
    void aKeptBitfieldWithSpareBitsClosesThatConnectionOnceThePieceCountIsKnown() throws Exception {
        TestTorrent t = TestTorrent.single("spare.bin", 5 * 16 * 1024 + 100, 16 * 1024); // 6 pieces: 2 spare bits
        FakeMetadataPeer spare = fake(t, Script.SPARE_BITS, 3);
        Session leecher = session();
        TorrentHandle h = leecher.add(magnet(t, List.of(spare.address())), TorrentOptions.in(dir.resolve("leech")));
        // It serves honest metadata, so the torrent gets its layout from it: then its bitfield is found wrong.
        await(() -> h.metainfo().isPresent(), "the metadata");
        await(() -> spare.disconnects.get() > 0, "the connection with spare bits closed");
        assertThat(h.adoptedConnections()).allSatisfy(c -> {
            assertThat(c.isClosed()).isTrue();
            assertThat(c.closeReason()).hasMessageContaining("spare bits");
        });
        Session honest = seeder(t, "seed");
        h.addPeers(List.of(at(honest)));
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, dir.resolve("leech"));
    }

    @Test
    void havesSentBeforeTheMetadataAreKeptAndMakeUsInterestedOnceItArrives() throws Exception {
        TestTorrent t = TestTorrent.single("haves.bin", 7 * 16 * 1024 + 5, 16 * 1024);
        FakeMetadataPeer haves = fake(t, Script.HAVES_ONLY, 5);
        Session leecher = session();
        TorrentHandle h = leecher.add(magnet(t, List.of(haves.address())), TorrentOptions.in(dir.resolve("leech")));
        await(() -> h.metainfo().isPresent(), "the metadata");
        // The fake never sends another have: interest can only come from the ones kept before the metadata.
        await(() -> haves.interested.get() > 0, "interest in the peer that said it has every piece");
        assertThat(h.adoptedConnections()).hasSize(1).allSatisfy(c -> {
            assertThat(c.isClosed()).isFalse();
            assertThat(c.peerHasAll()).isTrue();
        });
    }

    @Test
    void metadataOfManyBlocksFromSeveralSeeders() throws Exception {
        TestTorrent t = manyFiles(1500);
        int blocks = MetadataMessage.blockCount(t.metainfo().infoBytes().length);
        assertThat(blocks).isGreaterThanOrEqualTo(8);
        List<InetSocketAddress> seeders = new ArrayList<>();
        Path data = dir.resolve("seed");
        t.writeTo(data);
        for (int i = 0; i < 3; i++) { // three seeding sessions over the same files
            Session s = session();
            s.add(t.metainfo(), TorrentOptions.in(data)).completion().get(30, TimeUnit.SECONDS);
            seeders.add(at(s));
        }
        Session leecher = session();
        Path out = dir.resolve("leech");
        TorrentHandle h = leecher.add(magnet(t, seeders), TorrentOptions.in(out));
        h.completion().get(90, TimeUnit.SECONDS);
        assertSameBytes(t, out);
        assertThat(h.metainfo().orElseThrow().info().files()).hasSize(1500);
    }

    @Test
    void pauseResumeAndRemoveWhileFetching() throws Exception {
        TestTorrent t = TestTorrent.single("paused.bin", 100_000, 16 * 1024);
        FakeMetadataPeer refuser = fake(t, Script.REJECT_ALL, 4);
        Session leecher = session();
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        leecher.listen(events::add);
        TorrentHandle h = leecher.add(magnet(t, List.of(refuser.address())), TorrentOptions.in(dir.resolve("leech")));
        await(() -> refuser.connections.get() == 1 && h.fetchingConnections().size() == 1, "the connection");
        assertThat(h.state()).isEqualTo(TorrentState.FETCHING_METADATA);
        assertThat(h.status().name()).isEqualTo("paused.bin"); // the magnet's dn until the metadata says
        assertThat(h.status().peers()).isEqualTo(1);

        h.pause();
        assertThat(h.state()).isEqualTo(TorrentState.PAUSED);
        await(() -> refuser.disconnects.get() == 1, "the pause to close the connection");
        assertThat(leecher.connectionCount()).isZero();

        h.resume();
        assertThat(h.state()).isEqualTo(TorrentState.FETCHING_METADATA);
        await(() -> refuser.connections.get() == 2, "a new connection after the resume");

        h.remove(false);
        await(() -> refuser.disconnects.get() == 2, "the removal to close the connection");
        assertThat(leecher.torrents()).isEmpty();
        await(() -> events.stream().anyMatch(e -> e instanceof SessionEvent.Removed), "the removed event");
        await(() -> leecher.connectionCount() == 0, "no connection left");
    }

    @Test
    void anIncomingConnectionReachesATorrentStillFetchingItsMetadata() throws Exception {
        TestTorrent t = TestTorrent.single("incoming.bin", 200_000, 16 * 1024);
        Session seederSession = sessions.start();
        Path data = dir.resolve("seed");
        t.writeTo(data);
        Session leecher = session();
        TorrentHandle h = leecher.add(magnet(t, List.of()), TorrentOptions.in(dir.resolve("leech")));
        assertThat(h.state()).isEqualTo(TorrentState.FETCHING_METADATA);
        // The seeder dials the leecher: the acceptor routes the connection to the metadata phase.
        TorrentHandle seed = seederSession.add(t.metainfo(), TorrentOptions.in(data).withPeers(List.of(at(leecher))));
        seed.completion().get(30, TimeUnit.SECONDS);
        h.completion().get(60, TimeUnit.SECONDS);
        assertSameBytes(t, dir.resolve("leech"));
    }

    @Test
    void theMagnetsFileSelectionIsAppliedOnceTheMetadataIsKnown() throws Exception {
        TestTorrent t = TestTorrent.multi("selected", 16 * 1024, Spec.file("a.bin", 100_000), Spec.file("b.bin", 100_000),
                Spec.file("c.bin", 50_000));
        Session honest = seeder(t, "seed");
        Session leecher = session();
        Path out = dir.resolve("leech");
        MagnetLink m = new MagnetLink(t.metainfo().infoHash(), Optional.empty(), List.of(), List.of(at(honest)), List.of(),
                Optional.of("0,2"));
        TorrentHandle h = leecher.add(m, TorrentOptions.in(out));
        h.completion().get(60, TimeUnit.SECONDS);
        var files = t.metainfo().info().files();
        assertThat(Files.readAllBytes(files.get(0).resolveIn(out))).isEqualTo(t.expected(files.get(0)));
        assertThat(Files.readAllBytes(files.get(2).resolveIn(out))).isEqualTo(t.expected(files.get(2)));
        assertThat(files.get(1).resolveIn(out)).doesNotExist();
        assertThat(h.selection().filePriorities()).containsExactly(4, 0, 4);
    }

    @Test
    void theStateDirectoryKeepsAMagnetFetchingWithItsPeersAndSelectionAndThenItsMetadata() throws Exception {
        TestTorrent t = TestTorrent.multi("kept", 16 * 1024, Spec.file("a.bin", 70_000), Spec.file("b.bin", 60_000));
        Path stateRoot = dir.resolve("state");
        Path out = dir.resolve("leech");
        int seederPort = InteropTest.freePort(); // nobody listens there yet: the first session cannot fetch
        MagnetLink m = new MagnetLink(t.metainfo().infoHash(), Optional.of("kept"), List.of("http://127.0.0.1:9/announce"),
                List.of(new InetSocketAddress("127.0.0.1", seederPort)), List.of(), Optional.of("0"));
        SessionConfig noTrackers = quick().withTrackers(false, quick().tracker());
        try (StateDirectory state = StateDirectory.open(stateRoot)) {
            Session first = new Session(noTrackers, state, Duration.ofSeconds(1));
            first.start();
            first.add(m, TorrentOptions.in(out));
            MagnetLink again = new MagnetLink(m.infoHash(), Optional.empty(), List.of(), List.of(), List.of(), Optional.empty());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.add(again, TorrentOptions.in(out)))
                    .hasMessageContaining("already in the session");
            first.close();
            assertThat(state.torrentFile(t.metainfo().infoHash())).doesNotExist();
        }
        Path data = dir.resolve("seed");
        t.writeTo(data);
        Session seederSession = sessions.start(new Session(quick().withListenPort(seederPort)));
        seederSession.add(t.metainfo(), TorrentOptions.in(data)).completion().get(30, TimeUnit.SECONDS);
        try (StateDirectory state = StateDirectory.open(stateRoot)) {
            Session second = new Session(noTrackers, state, Duration.ofSeconds(1));
            second.start();
            try {
                TorrentHandle h = second.torrent(t.metainfo().infoHash()).orElseThrow();
                assertThat(h.state()).isEqualTo(TorrentState.FETCHING_METADATA);
                assertThat(h.status().name()).isEqualTo("kept");
                h.completion().get(60, TimeUnit.SECONDS); // from the magnet's x.pe peer, kept across the restart
                assertThat(h.selection().filePriorities()).containsExactly(4, 0); // and its so
                assertThat(state.torrentFile(t.metainfo().infoHash())).exists();
            } finally {
                second.close();
            }
        }
        try (StateDirectory state = StateDirectory.open(stateRoot)) {
            Session third = new Session(noTrackers, state, Duration.ofSeconds(1));
            third.start();
            try {
                TorrentHandle h = third.torrent(t.metainfo().infoHash()).orElseThrow();
                assertThat(h.metainfo()).isPresent(); // an ordinary torrent now
                h.completion().get(60, TimeUnit.SECONDS);
                assertThat(h.status().progress()).isEqualTo(1.0);
            } finally {
                third.close();
            }
            state.remove(t.metainfo().infoHash());
            assertThat(state.magnetFile(t.metainfo().infoHash())).doesNotExist();
        }
        var files = t.metainfo().info().files();
        assertThat(Files.readAllBytes(files.get(0).resolveIn(out))).isEqualTo(t.expected(files.get(0)));
        assertThat(files.get(1).resolveIn(out)).doesNotExist();
    }

}
