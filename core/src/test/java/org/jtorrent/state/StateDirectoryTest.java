package org.jtorrent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.jtorrent.id.InfoHash;
import org.jtorrent.storage.AtomicFile;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
    @TempDir
    Path tmp;

    private final TestTorrent first = TestTorrent.single("first.bin", 50_000, 16 * 1024);
    private final TestTorrent second = TestTorrent.multi("second", 16 * 1024, file("a", 20_000), file("b", 5));
    private final TestTorrent third = TestTorrent.single("third.bin", 10_000, 16 * 1024);

    @Test
    void defaultLocationFollowsXdgElseHome() {
        Path home = Path.of("/home/u");
        assertThat(StateDirectory.defaultLocation(Map.of("XDG_STATE_HOME", "/var/xdg"), home))
                .isEqualTo(Path.of("/var/xdg/jtorrent"));
        assertThat(StateDirectory.defaultLocation(Map.of(), home)).isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
        // The XDG specification: an empty or relative value is invalid and ignored.
        assertThat(StateDirectory.defaultLocation(Map.of("XDG_STATE_HOME", ""), home))
                .isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
        assertThat(StateDirectory.defaultLocation(Map.of("XDG_STATE_HOME", "rel/state"), home))
                .isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
    }

    @Test
    void dhtStateIsKeptPerFamilyAndAnOversizedOneIsIgnored() throws IOException {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            assertThat(state.loadDhtState(false)).isEmpty();
            state.saveDhtState(false, new byte[] {1, 2, 3});
            state.saveDhtState(true, new byte[] {4});
            assertThat(state.loadDhtState(false)).contains(new byte[] {1, 2, 3});
            assertThat(state.loadDhtState(true)).contains(new byte[] {4});
            assertThat(state.load().torrents()).as("not a torrent record").isEmpty();
            Files.write(state.dhtStateFile(false), new byte[StateDirectory.MAX_DHT_STATE_BYTES + 1]);
            assertThat(state.loadDhtState(false)).isEmpty();
        }
    }

    private static TorrentSettings settings(TestTorrent t, Path folder, int queue) {
        return TorrentSettings.of(t.metainfo().infoHash(), t.metainfo().info().name(), t.metainfo().trackers(), folder)
                .withQueuePosition(queue);
    }

    /** Adds as a session does: the .torrent first, then the settings, which make it a record. */
    private void add(StateDirectory state, TestTorrent t, TorrentSettings s) throws IOException {
        Path file = t.writeTorrent(tmp.resolve(t.metainfo().infoHash().hex() + ".torrent"));
        state.saveTorrentFile(t.metainfo().infoHash(), Files.readAllBytes(file));
        state.saveSettings(s);
    }

    @Test
    void torrentsComeBackInQueueOrderWithTheirExactTorrentBytes() throws Exception {
        Path root = tmp.resolve("state");
        byte[] secondBytes;
        try (StateDirectory state = StateDirectory.open(root)) {
            add(state, first, settings(first, tmp, 2).withPaused(true));
            add(state, second, settings(second, tmp, 0).withFilePriorities(new int[]{0, 3}));
            add(state, third, settings(third, tmp, 1));
            secondBytes = Files.readAllBytes(state.torrentFile(second.metainfo().infoHash()));
        }
        try (StateDirectory state = StateDirectory.open(root)) {
            StateDirectory.Loaded loaded = state.load();
            assertThat(loaded.warnings()).isEmpty();
            assertThat(loaded.torrents()).extracting(StateDirectory.StoredTorrent::infoHash).containsExactly(
                    second.metainfo().infoHash(), third.metainfo().infoHash(), first.metainfo().infoHash());
            StateDirectory.StoredTorrent s = loaded.torrents().get(0);
            assertThat(s.settings().filePriorities()).containsExactly(0, 3);
            assertThat(s.torrentFile()).hasValueSatisfying(b -> assertThat(b).isEqualTo(secondBytes));
            assertThat(s.metainfo()).hasValueSatisfying(m -> assertThat(m.infoHash()).isEqualTo(second.metainfo().infoHash()));
            assertThat(loaded.torrents().get(2).settings().paused()).isTrue();
        }
    }

    @Test
    void aTorrentKnownByItsInfoHashAloneIsARecordWithoutMetainfo() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            InfoHash magnet = InfoHash.fromHex("00112233445566778899aabbccddeeff00112233");
            state.saveSettings(TorrentSettings.of(magnet, "from a magnet", List.of(List.of("udp://t:1")), tmp));
            StateDirectory.StoredTorrent t = state.load().torrents().get(0);
            assertThat(t.infoHash()).isEqualTo(magnet);
            assertThat(t.metainfo()).isEmpty();
            assertThat(t.settings().name()).isEqualTo("from a magnet");
            assertThat(t.settings().trackers()).containsExactly(List.of("udp://t:1"));
        }
    }

    /** A command stopped by a signal closes its state twice (the shutdown hook, then its own end): the second does nothing. */
    @Test
    void aSecondCloseDoesNothingAndTheDirectoryIsFreeAfterIt() throws Exception {
        StateDirectory state = StateDirectory.open(tmp.resolve("state"));
        state.close();
        state.close(); // threw ClosedChannelException
        try (StateDirectory again = StateDirectory.open(tmp.resolve("state"))) {
            assertThat(again.load().torrents()).isEmpty();
        }
    }

    @Test
    void badRecordsAreSkippedWithAWarningAndTheOthersLoad() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            add(state, first, settings(first, tmp, 0));
            add(state, second, settings(second, tmp, 1));
            add(state, third, settings(third, tmp, 2));
            // first: settings torn (as no atomic write would leave them, but a disk might)
            Path s1 = state.settingsFile(first.metainfo().infoHash());
            byte[] b = Files.readAllBytes(s1);
            Files.write(s1, java.util.Arrays.copyOf(b, b.length / 2));
            // third: its .torrent is another torrent's
            Files.copy(state.torrentFile(second.metainfo().infoHash()), state.torrentFile(third.metainfo().infoHash()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            StateDirectory.Loaded loaded = state.load();

            assertThat(loaded.torrents()).extracting(StateDirectory.StoredTorrent::infoHash)
                    .containsExactly(second.metainfo().infoHash());
            assertThat(loaded.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).doesNotContain("\n"));
            assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w)
                    .startsWith("skipped torrent " + first.metainfo().infoHash().hex() + ": its settings: not bencode"));
            assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w)
                    .startsWith("skipped torrent " + third.metainfo().infoHash().hex() + ": its .torrent is torrent "));
            assertThat(s1).as("a bad record is left for a person to look at").exists();
        }
    }

    @Test
    void priorityCountMustMatchTheFileCount() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            add(state, second, settings(second, tmp, 0).withFilePriorities(new int[]{1, 1, 1}));
            StateDirectory.Loaded loaded = state.load();
            assertThat(loaded.torrents()).isEmpty();
            assertThat(loaded.warnings()).singleElement().asString().contains("3 file priorities for 2 files");
        }
    }

    @Test
    void leftoversOfInterruptedWritesAreIgnoredAndTidied() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            add(state, first, settings(first, tmp, 0));
            TorrentSettings before = settings(first, tmp, 0);
            // kill -9 in the middle of rewriting first's settings: the temporary file is half written
            Path settingsTemp = AtomicFile.temporaryFor(state.settingsFile(first.metainfo().infoHash()));
            Files.write(settingsTemp, java.util.Arrays.copyOf(before.withPaused(true).encode(), 10));
            // ... and of adding second: its .torrent is there, its settings never were
            state.saveTorrentFile(second.metainfo().infoHash(), new byte[]{'d', 'e'});

            StateDirectory.Loaded loaded = state.load();

            assertThat(loaded.torrents()).singleElement().satisfies(t -> assertThat(t.settings()).isEqualTo(before));
            assertThat(loaded.warnings()).hasSize(2);
            assertThat(settingsTemp).doesNotExist();
            assertThat(state.torrentFile(second.metainfo().infoHash())).doesNotExist();
            assertThat(state.load().warnings()).isEmpty();
        }
    }

    @Test
    void removeDeletesEveryRecordOfTheTorrent() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            InfoHash h = first.metainfo().infoHash();
            first.writeTo(tmp);
            add(state, first, settings(first, tmp, 0));
            BitSet all = new BitSet();
            all.set(0, first.metainfo().info().pieceCount());
            state.saveResume(h, tmp, first.metainfo().info(), all, true);
            assertThat(state.loadResume(h, tmp, first.metainfo().info())).isPresent();

            state.remove(h);

            assertThat(state.load().torrents()).isEmpty();
            try (var files = Files.list(state.root().resolve("torrents"))) {
                assertThat(files).isEmpty();
            }
        }
    }

    @Test
    void resumeDataIsReadFromTheDownloadFolderWhenTheStateDirectoryHasNone() throws Exception {
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"))) {
            InfoHash h = first.metainfo().infoHash();
            first.writeTo(tmp);
            BitSet all = new BitSet();
            all.set(0, first.metainfo().info().pieceCount());
            ResumeData.save(tmp, h, first.metainfo().info(), all); // where versions before the state directory kept it

            assertThat(state.loadResume(h, tmp, first.metainfo().info())).contains(new ResumeData.Loaded(all, false));

            BitSet one = new BitSet();
            one.set(1);
            state.saveResume(h, tmp, first.metainfo().info(), one, true);
            assertThat(state.loadResume(h, tmp, first.metainfo().info())).contains(new ResumeData.Loaded(one, false));
        }
    }

    @Test
    void concurrentWritersOfOneTorrentTakeTurns() throws Exception {
        // Every write of a torrent goes through the same temporary name: without one writer at a
        // time, one thread would delete or rename another's temporary file under it.
        try (StateDirectory state = StateDirectory.open(tmp.resolve("state"));
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            TorrentSettings base = settings(first, tmp, 0);
            List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writes.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) state.saveSettings(base.withQueuePosition(writer * 1000 + i));
                    return null;
                }));
            }
            for (var f : writes) f.get(); // rethrows a writer's failure
            TorrentSettings last = state.load().torrents().get(0).settings();
            assertThat(last.queuePosition() % 1000).isEqualTo(49);
        }
    }

    @Test
    void aSecondSessionCannotOpenTheSameDirectory() throws Exception {
        Path root = tmp.resolve("state");
        try (StateDirectory state = StateDirectory.open(root)) {
            assertThatThrownBy(() -> StateDirectory.open(root)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use by another jtorrent session");
        }
        StateDirectory.open(root).close(); // released at close
    }
}
