package org.jtorrent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionEvent;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;
import org.jtorrent.metainfo.Metainfo;

/**
 * The torrents of one {@code jtorrent download}, run in one session until each is done: complete
 * and past its seed goal ({@link SeedGoals}), or failed. A torrent that fails does not stop the
 * others; a torrent past an explicit seed goal is paused, so that it uploads no more while the others
 * go on.
 */
final class DownloadSession {
    /**
     * How a torrent ended: its report and its last status (the error, if it failed).
     *
     * @param savedTorrent where its metadata was written ({@code --save-torrent}), or null
     * @param problem      why it failed besides its status (the metadata could not be saved), or null
     */
    record Outcome(TorrentSources.Source source, DownloadResult result, TorrentStatus status, Path savedTorrent, String problem) {
        Outcome(TorrentSources.Source source, DownloadResult result, TorrentStatus status) {
            this(source, result, status, null, null);
        }

        boolean failed() {
            return problem != null || status.state() == TorrentState.ERROR;
        }

        String error() {
            return problem != null ? problem : status.error();
        }

        /** The torrent's name: from its metadata once known, else from the command line. */
        String name() {
            return status.state() != TorrentState.FETCHING_METADATA && !status.name().isEmpty() ? status.name() : source.name();
        }
    }

    /** One torrent of the command line as the run follows it. */
    private static final class Tracked {
        final TorrentSources.Source source;
        final TorrentHandle handle;
        /** Whether this command added it (not brought back by the state directory): only then may it take it out. */
        final boolean addedHere;
        /** Whether its metadata (a magnet link's) was handled: saved, selected; true for a .torrent. */
        boolean hadMetadata;
        Path savedTorrent;
        /** When its completion future completed (set on the engine's thread), or -1. */
        volatile long completedAtNanos = -1;
        boolean toldComplete;
        /** Its report, taken when it was done (before a pause ends its run), or null while under way. */
        Outcome outcome;

        Tracked(TorrentSources.Source source, TorrentHandle handle, boolean addedHere) {
            this.source = source;
            this.handle = handle;
            this.addedHere = addedHere;
            this.hadMetadata = !source.isMagnet();
        }
    }

    /** Between looks at the torrents: often enough for seed times and progress, never a busy loop. */
    private static final long MIN_TICK_MILLIS = 50, MAX_TICK_MILLIS = 1000;

    private final Session session;
    private final SeedGoals goals;
    private final MagnetMetadata metadata;
    private final DownloadProgress progress;
    private final boolean notes;
    /** Released when a torrent completes or fails, so that the run notices at once rather than at the next tick. */
    private final Semaphore wake = new Semaphore(0);
    private final long startNanos = System.nanoTime();
    private final List<Tracked> torrents = new ArrayList<>();

    /**
     * @param metadata what to do with a magnet link's metadata once it arrives
     * @param notes    whether to tell the user of each completion and failure as it happens (not with
     *              {@code --json}, whose stderr keeps to the progress)
     */
    DownloadSession(Session session, SeedGoals goals, MagnetMetadata metadata, DownloadProgress progress, boolean notes) {
        this.session = session;
        this.goals = goals;
        this.metadata = metadata;
        this.progress = progress;
        this.notes = notes;
    }

    /**
     * Adds a torrent to the started session, or takes the session's own (brought back from its
     * state directory), resuming it if it was left paused or failed.
     */
    void add(TorrentSources.Source source, TorrentOptions options) {
        boolean known = session.torrent(source.infoHash()).isPresent();
        TorrentHandle handle = Sessions.handleFor(session, source, options);
        String moved = Sessions.folderNote(handle, options);
        if (moved != null) progress.note(DownloadProgress.printable(source.name()) + ": " + moved); // even with --json: data is not where asked
        TorrentState state = handle.state();
        // The command line asks for it now: a paused one goes on, a failed one is checked and tried again.
        if (state == TorrentState.PAUSED || state == TorrentState.ERROR) handle.resume();
        Tracked t = new Tracked(source, handle, !known);
        handle.completion().whenComplete((done, failure) -> {
            if (failure == null) t.completedAtNanos = System.nanoTime();
            wake.release();
        });
        torrents.add(t);
    }

    /** The handles of the torrents added, in order. */
    List<TorrentHandle> handles() {
        return torrents.stream().map(t -> t.handle).toList();
    }

    /** Runs until every torrent is done; their outcomes in the order they were added. */
    List<Outcome> run() throws InterruptedException {
        // A magnet link's metadata is handled at once, not at the next tick: --files applies before pieces are picked.
        session.listen(event -> {
            if (event instanceof SessionEvent.MetadataReceived) wake.release();
        });
        while (true) {
            long now = System.nanoTime();
            List<DownloadProgress.Row> rows = new ArrayList<>();
            boolean allDone = true;
            for (Tracked t : torrents) {
                long completedAt = t.completedAtNanos; // before the status, which then shows the state completion moved to
                TorrentStatus status = t.handle.status();
                if (t.outcome == null) advance(t, completedAt, status, now);
                rows.add(new DownloadProgress.Row(status, t.outcome != null));
                allDone &= t.outcome != null;
            }
            progress.update(rows, now);
            if (allDone) break;
            long wait = Math.clamp(progress.intervalMillis(), MIN_TICK_MILLIS, MAX_TICK_MILLIS);
            if (wake.tryAcquire(wait, TimeUnit.MILLISECONDS)) wake.drainPermits();
        }
        progress.finish();
        List<Outcome> outcomes = new ArrayList<>();
        for (Tracked t : torrents) {
            // Without a seed goal a complete torrent served the others' peers until now: its report counts that too.
            boolean servedOn = !t.outcome.failed() && !goals.seeds();
            outcomes.add(servedOn ? new Outcome(t.source, DownloadResult.of(t.handle, t.outcome.result().wallSeconds()),
                    t.handle.status(), t.savedTorrent, null) : t.outcome);
        }
        return outcomes;
    }

    private void advance(Tracked t, long completedAt, TorrentStatus status, long now) {
        if (!t.hadMetadata && t.handle.metainfo().isPresent()) {
            t.hadMetadata = true;
            if (received(t, now)) return;
            status = t.handle.status();
        }
        String name = DownloadProgress.printable(t.handle.metainfo().map(m -> m.info().name()).orElse(t.source.name()));
        if (status.state() == TorrentState.ERROR) {
            t.outcome = new Outcome(t.source, DownloadResult.of(t.handle, seconds(now)), status, t.savedTorrent, null);
            note(name + ": failed: " + DownloadProgress.printable(status.error()));
            return;
        }
        if (completedAt < 0 && status.state() == TorrentState.SEEDING) {
            // Complete before this command's future was taken (a torrent the session already held): seeding says so.
            completedAt = now;
            t.completedAtNanos = now;
        }
        if (completedAt < 0) return;
        if (!t.toldComplete) {
            t.toldComplete = true;
            note(name + ": complete" + (goals.seeds() ? "; " + goals.describe() : ""));
        }
        if (!goals.met(status, completedAt, now)) return;
        // The report first: pausing ends the run and, with it, its peers and byte counts.
        t.outcome = new Outcome(t.source, DownloadResult.of(t.handle, seconds(completedAt)), status, t.savedTorrent, null);
        if (goals.seeds()) t.handle.pause();
    }

    /**
     * A magnet link's metadata arrived: saved where asked, its file selection reported; with
     * {@code --metadata-only} the torrent is done (taken out, unless the state directory had it
     * before), and so is one whose metadata could not be saved (paused: it failed). Whether it is done.
     */
    private boolean received(Tracked t, long now) {
        Metainfo metainfo = t.handle.metainfo().orElseThrow();
        String name = DownloadProgress.printable(metainfo.info().name());
        String problem = null;
        try {
            t.savedTorrent = metadata.save(metainfo);
        } catch (IOException e) {
            problem = "cannot save the torrent file: " + TorrentSources.oneLine(e);
        }
        String selected = null;
        if (problem == null) {
            try {
                selected = metadata.select(t.handle, metainfo, !t.addedHere);
            } catch (IOException e) {
                problem = "cannot apply --files: " + TorrentSources.oneLine(e);
            }
        }
        note(name + ": metadata received (" + metainfo.info().files().size() + " file"
                + (metainfo.info().files().size() == 1 ? "" : "s") + ", " + Sizes.human(metainfo.info().totalLength()) + ")"
                + (t.savedTorrent != null ? ", saved to " + t.savedTorrent : "") + (selected != null ? "; " + selected : ""));
        if (problem == null && !metadata.only()) return false;
        t.outcome = new Outcome(t.source, DownloadResult.of(t.handle, seconds(now)), t.handle.status(), t.savedTorrent, problem);
        if (problem != null) note(name + ": failed: " + problem);
        try {
            // Only a metadata-only torrent added here has a scratch folder whose files may go; any other is paused,
            // its data (perhaps from an earlier run) kept where it is.
            if (metadata.only() && t.addedHere) t.handle.remove(true);
            else t.handle.pause();
        } catch (IOException e) {
            note(name + ": could not take it out of the session: " + TorrentSources.oneLine(e));
        }
        return true;
    }

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    private void note(String message) {
        if (notes) progress.note(message);
    }
}
