package org.jtorrent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.storage.AtomicFile;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.storage.Storage;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateSaverTest {
    @TempDir
    Path tmp;

    private final TestTorrent t = TestTorrent.single("s.bin", 100_000, 16 * 1024);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private StateDirectory state;
    private StateSaver saver;
    private Live live;

    /** A torrent as the session would describe it: what it has verified so far and its settings. */
    private final class Live implements StateSaver.Source {
        volatile TorrentSettings settings;
        final BitSet verified = new BitSet();

        Live(TorrentSettings settings) {
            this.settings = settings;
        }

        /** Writes a piece to disk, then marks it verified, in the order the engine does. */
        void verify(int piece) throws Exception {
            try (Storage s = Storage.open(t.metainfo().info(), tmp, Storage.Options.DEFAULT.withDirectWrites(false))) {
                s.write(piece, 0, ByteBuffer.wrap(t.piece(piece)));
            }
            synchronized (verified) {
                verified.set(piece);
            }
        }

        @Override
        public TorrentSettings settings() {
            return settings;
        }

        @Override
        public Optional<InfoDict> info() {
            return Optional.of(t.metainfo().info());
        }

        @Override
        public BitSet verified() {
            synchronized (verified) {
                return (BitSet) verified.clone();
            }
        }
    }

    @BeforeEach
    void open() throws Exception {
        state = StateDirectory.open(tmp.resolve("state"));
        saver = new StateSaver(state, Duration.ofSeconds(30), nanos::get);
        live = new Live(TorrentSettings.of(t.metainfo().infoHash(), "s.bin", t.metainfo().trackers(), tmp));
    }

    @AfterEach
    void close() throws Exception {
        state.close();
    }

    private Optional<ResumeData.Loaded> resume() {
        return state.loadResume(t.metainfo().infoHash(), tmp, t.metainfo().info());
    }

    private static BitSet bits(int... pieces) {
        BitSet b = new BitSet();
        for (int p : pieces) b.set(p);
        return b;
    }

    @Test
    void aStateChangeIsWrittenAtOnce() throws Exception {
        live.verify(0);
        saver.stateChanged(live);
        assertThat(state.settings(t.metainfo().infoHash())).contains(live.settings);
        assertThat(resume()).contains(new ResumeData.Loaded(bits(0), false));

        live.settings = live.settings.withPaused(true);
        saver.stateChanged(live);
        assertThat(state.settings(t.metainfo().infoHash())).hasValueSatisfying(s -> assertThat(s.paused()).isTrue());
    }

    @Test
    void movedDataIsSavedAtMostEveryInterval() throws Exception {
        saver.stateChanged(live);
        live.verify(1);
        live.settings = live.settings.withTotals(0, 16 * 1024);
        saver.dataMoved(live);
        assertThat(saver.saveDue()).as("not due yet").isZero();
        assertThat(resume()).as("the record still the first one; piece 1, written since, left to hashing")
                .contains(new ResumeData.Loaded(bits(), true));

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(saver.saveDue()).isEqualTo(1);
        assertThat(resume()).contains(new ResumeData.Loaded(bits(1), false));
        assertThat(state.settings(t.metainfo().infoHash())).hasValueSatisfying(s -> assertThat(s.totalDownloaded()).isEqualTo(16 * 1024));

        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(saver.saveDue()).as("no data moved since").isZero();
    }

    @Test
    void aPeriodicSaveSurvivesLaterWritesAndACleanCloseIsStrict() throws Exception {
        live.verify(0);
        saver.dataMoved(live);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        saver.saveDue();
        live.verify(2); // written after the last periodic save, then the process dies
        touch();
        assertThat(resume()).as("saved pieces trusted, the rest to be hashed").contains(new ResumeData.Loaded(bits(0), true));

        saver.closed(live);
        assertThat(resume()).contains(new ResumeData.Loaded(bits(0, 2), false));
        touch(); // changed behind our back after a clean close: nothing trusted
        assertThat(resume()).isEmpty();
    }

    @Test
    void aFailedSaveIsRetriedAndDoesNotStopTheOthers() throws Exception {
        Path blocker = AtomicFile.temporaryFor(state.settingsFile(t.metainfo().infoHash()));
        Files.createDirectories(blocker.resolve("in-the-way")); // the temporary file cannot be made
        TestTorrent other = TestTorrent.single("o.bin", 1000, 16 * 1024);
        Live second = new Live(TorrentSettings.of(other.metainfo().infoHash(), "o.bin", other.metainfo().trackers(), tmp));
        saver.dataMoved(live);
        saver.dataMoved(second);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());

        assertThat(saver.saveDue()).isEqualTo(1);
        assertThat(state.settings(other.metainfo().infoHash())).isPresent();
        assertThat(state.settings(t.metainfo().infoHash())).isEmpty();

        Files.delete(blocker.resolve("in-the-way"));
        Files.delete(blocker);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(saver.saveDue()).as("retried without new data").isEqualTo(1);
        assertThat(state.settings(t.metainfo().infoHash())).isPresent();
    }

    @Test
    void aForgottenTorrentIsNotWrittenAgain() throws Exception {
        saver.dataMoved(live);
        saver.forget(t.metainfo().infoHash());
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(saver.saveDue()).isZero();
        assertThat(state.settings(t.metainfo().infoHash())).isEmpty();
    }

    /**
     * A restart of a complete torrent from the directory's own records: its state changes at start
     * (checked, queued, seeding) write neither record again while they say the same (a session of
     * 1,000 seeders rewrote 2,000 files and fsynced every data file at each start); a real change
     * still writes, and a clean close writes only a record that is not a clean close's already.
     */
    @Test
    void recordsAsTheyAreOnDiskAreNotWrittenAgain() throws Exception {
        int pieces = t.metainfo().info().layout().pieceCount();
        for (int p = 0; p < pieces; p++) live.verify(p);
        saver.closed(live); // the previous run's clean close
        Path settingsFile = state.settingsFile(t.metainfo().infoHash());
        Path resumeFile = state.resumeFile(t.metainfo().infoHash());
        FileTime longAgo = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(settingsFile, longAgo);
        Files.setLastModifiedTime(resumeFile, longAgo);

        StateSaver restarted = new StateSaver(state, Duration.ofSeconds(30), nanos::get);
        restarted.settingsOnDisk(live, live.settings);
        restarted.resumeOnDisk(live, live.verified(), true);
        restarted.stateChanged(live);
        restarted.stateChanged(live);
        assertThat(Files.getLastModifiedTime(settingsFile)).isEqualTo(longAgo);
        assertThat(Files.getLastModifiedTime(resumeFile)).isEqualTo(longAgo);
        assertThat(resume()).as("still the clean close's record, exact").contains(new ResumeData.Loaded(bits(0, 1, 2, 3, 4, 5, 6), false));

        live.settings = live.settings.withPaused(true);
        restarted.stateChanged(live);
        assertThat(Files.getLastModifiedTime(settingsFile)).isNotEqualTo(longAgo);
        assertThat(Files.getLastModifiedTime(resumeFile)).isEqualTo(longAgo);

        restarted.closed(live);
        restarted.closed(live);
        assertThat(Files.getLastModifiedTime(resumeFile)).as("the clean close's record still exact").isEqualTo(longAgo);
    }

    /**
     * An incomplete torrent may write into its files: a clean close's record is replaced by a
     * periodic one at its first save (after a crash, a full re-check would follow the clean one);
     * a periodic record that lists the same pieces stays.
     */
    @Test
    void aCleanCloseRecordOfATorrentThatMayWriteIsReplacedAtItsFirstSave() throws Exception {
        live.verify(0);
        saver.closed(live);
        Path resumeFile = state.resumeFile(t.metainfo().infoHash());
        FileTime longAgo = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(resumeFile, longAgo);
        StateSaver restarted = new StateSaver(state, Duration.ofSeconds(30), nanos::get);
        restarted.resumeOnDisk(live, live.verified(), true);
        restarted.stateChanged(live);
        assertThat(Files.getLastModifiedTime(resumeFile)).isNotEqualTo(longAgo);
        assertThat(ResumeData.savedAtCleanClose(resumeFile)).contains(false);

        Files.setLastModifiedTime(resumeFile, longAgo);
        StateSaver again = new StateSaver(state, Duration.ofSeconds(30), nanos::get);
        again.resumeOnDisk(live, live.verified(), false);
        again.stateChanged(live);
        assertThat(Files.getLastModifiedTime(resumeFile)).isEqualTo(longAgo);
        again.closed(live);
        assertThat(ResumeData.savedAtCleanClose(resumeFile)).contains(true);
    }

    /** What the directory held is only a starting point: a save that differs from it writes. */
    @Test
    void aRecordThatDiffersFromTheOneOnDiskIsWritten() throws Exception {
        live.verify(0);
        saver.settingsOnDisk(live, live.settings.withPaused(true));
        saver.resumeOnDisk(live, bits(), false);
        saver.stateChanged(live);
        assertThat(state.settings(t.metainfo().infoHash())).contains(live.settings);
        assertThat(resume()).contains(new ResumeData.Loaded(bits(0), false));
    }

    private void touch() throws Exception {
        Path file = tmp.resolve("s.bin");
        long ns = Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
        Files.setLastModifiedTime(file, FileTime.from(ns + 5_000_000_000L, TimeUnit.NANOSECONDS));
    }
}
