package org.jtorrent.state;

import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.InfoDict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the state directory is written, so that a {@code kill -9} at any moment loses little:
 * a torrent's settings and resume data are saved at once when its state changes
 * ({@link #stateChanged}: added, paused, resumed, options changed, completed), its resume data at
 * most every {@code resumeInterval} while data moves ({@link #dataMoved}, then {@link #saveDue}
 * from the session's timer), and a last time, as a clean close, when it stops ({@link #closed}).
 *
 * <p>It owns no thread: the session calls it, from a thread that may block on disk I/O (an fsync
 * of the torrent's files precedes each resume write), never from a connection's. Saves of one
 * torrent are serialized, so an older snapshot never overwrites a newer one. A failed save is
 * logged and retried at the next call; it never stops the torrent.
 */
public final class StateSaver {
    private static final Logger log = LoggerFactory.getLogger(StateSaver.class);
    public static final Duration DEFAULT_RESUME_INTERVAL = Duration.ofSeconds(30);

    /** What the saver reads of a live torrent; each call returns a snapshot. */
    public interface Source {
        /** Its settings now, counters included. */
        TorrentSettings settings();

        /** Which torrent: the key it is tracked by, asked far more often than its settings are saved. */
        default InfoHash infoHash() {
            return settings().infoHash();
        }

        /** Its info dictionary; empty while only its info-hash is known. */
        Optional<InfoDict> info();

        /**
         * The pieces verified so far: each one written to storage before it was marked verified
         * (the saver makes them durable before the record lists them).
         */
        BitSet verified();
    }

    private static final class Tracked {
        final ReentrantLock saving = new ReentrantLock();
        final Source source;
        volatile boolean dataMoved;
        long lastResumeSave; // nanos, guarded by saving
        TorrentSettings settingsWritten; // guarded by saving
        BitSet resumeWritten; // guarded by saving
        boolean resumeWrittenClean; // whether that record is a clean close's; guarded by saving

        Tracked(Source source, long now) {
            this.source = source;
            this.lastResumeSave = now;
        }
    }

    private final StateDirectory directory;
    private final long resumeIntervalNanos;
    private final LongSupplier nanoClock;
    private final Map<InfoHash, Tracked> tracked = new ConcurrentHashMap<>();

    public StateSaver(StateDirectory directory) {
        this(directory, DEFAULT_RESUME_INTERVAL, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds ({@link System#nanoTime()}; tests step their own) */
    public StateSaver(StateDirectory directory, Duration resumeInterval, LongSupplier nanoClock) {
        this.directory = directory;
        this.resumeIntervalNanos = resumeInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Torrent X changed state: its settings and resume data are written now. */
    public void stateChanged(Source source) throws IOException {
        save(track(source), false, false);
    }

    /**
     * Torrent X was restored from the state directory, whose record of it is {@code settings}: the
     * first save writes them only if they changed. A restart of 1,000 torrents rewrote 1,000 records
     * that said the same.
     */
    public void settingsOnDisk(Source source, TorrentSettings settings) {
        Tracked t = track(source);
        t.saving.lock();
        try {
            if (t.settingsWritten == null) t.settingsWritten = settings;
        } finally {
            t.saving.unlock();
        }
    }

    /**
     * Torrent X's resume data in the state directory vouches for exactly {@code have}, every file
     * unchanged since it was saved (at a clean close or not): a save that would write the same
     * leaves it as it is (see {@link #save}). Without this, a restart of 1,000 seeding torrents
     * fsynced every file of each and rewrote 1,000 resume files that said the same.
     */
    public void resumeOnDisk(Source source, BitSet have, boolean cleanClose) {
        Tracked t = track(source);
        t.saving.lock();
        try {
            if (t.resumeWritten == null) {
                t.resumeWritten = (BitSet) have.clone();
                t.resumeWrittenClean = cleanClose;
            }
        } finally {
            t.saving.unlock();
        }
    }

    /** Torrent X moved data: its resume data will be written by the next {@link #saveDue} that finds it due. */
    public void dataMoved(Source source) {
        track(source).dataMoved = true;
    }

    /**
     * Saves every torrent that moved data and was last saved at least {@code resumeInterval} ago;
     * the session calls it every second or so. Returns how many were saved. A torrent whose save
     * fails is logged and tried again next time; the others are saved regardless.
     */
    public int saveDue() {
        int saved = 0;
        long now = nanoClock.getAsLong();
        for (Map.Entry<InfoHash, Tracked> e : tracked.entrySet()) {
            Tracked t = e.getValue();
            if (!t.dataMoved || now - t.lastResumeSave < resumeIntervalNanos) continue;
            try {
                if (save(t, false, true)) saved++;
            } catch (IOException | RuntimeException ex) {
                log.warn("could not save the state of torrent {} (trying again later): {}", e.getKey().hex(), ex.toString());
            }
        }
        return saved;
    }

    /**
     * Torrent X stopped and its storage is closed: its final state is written, the resume data as
     * a clean close (trusted strictly at the next start). The saver remembers what it wrote, so
     * that closing again (queued, then paused) or starting again writes only what changed.
     */
    public void closed(Source source) throws IOException {
        save(track(source), true, false);
    }

    /** Torrent X was removed: nothing more is written for it. */
    public void forget(InfoHash infoHash) {
        Tracked t = tracked.remove(infoHash);
        if (t == null) return;
        t.saving.lock(); // a save under way finishes first, so the caller can delete the records after
        t.saving.unlock();
    }

    private Tracked track(Source source) {
        return tracked.computeIfAbsent(source.infoHash(), k -> new Tracked(source, nanoClock.getAsLong()));
    }

    /**
     * Whether the resume record written last (or found on disk) may stay: it lists the same pieces,
     * and it is a clean close's for a clean close; for a save while the torrent runs, a periodic
     * one, or a clean close's of a complete torrent, which writes nothing into its files. A
     * torrent that may write must replace a clean close's record first: after a crash, that record
     * and the files changed since would cost a full re-check, where a periodic one costs a check of
     * the pieces it does not list.
     */
    private static boolean resumeUpToDate(Tracked t, BitSet verified, InfoDict info, boolean cleanClose) {
        if (!verified.equals(t.resumeWritten)) return false;
        if (cleanClose) return t.resumeWrittenClean;
        return !t.resumeWrittenClean || verified.cardinality() == info.pieceCount();
    }

    /** Returns whether anything was written. */
    private boolean save(Tracked t, boolean cleanClose, boolean onlyIfDue) throws IOException {
        t.saving.lock();
        try {
            long now = nanoClock.getAsLong();
            if (onlyIfDue && (!t.dataMoved || now - t.lastResumeSave < resumeIntervalNanos)) return false;
            t.dataMoved = false;
            // The snapshot of verified pieces is taken before saveResume fsyncs the data files:
            // a piece verified after it is written to storage after it, so it is not listed.
            BitSet verified = t.source.verified();
            TorrentSettings settings = t.source.settings();
            Optional<InfoDict> info = t.source.info();
            boolean wrote = false;
            try {
                if (!settings.equals(t.settingsWritten)) {
                    directory.saveSettings(settings);
                    t.settingsWritten = settings;
                    wrote = true;
                }
                if (info.isPresent() && !resumeUpToDate(t, verified, info.get(), cleanClose)) {
                    directory.saveResume(settings.infoHash(), settings.savePath(), info.get(), verified, cleanClose);
                    t.resumeWritten = verified;
                    t.resumeWrittenClean = cleanClose;
                    wrote = true;
                }
                t.lastResumeSave = now;
            } catch (IOException | RuntimeException e) {
                t.dataMoved = true; // due again next time
                throw e;
            }
            return wrote;
        } finally {
            t.saving.unlock();
        }
    }
}
