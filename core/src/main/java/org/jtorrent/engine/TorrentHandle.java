package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.state.StateSaver;
import org.jtorrent.state.TorrentSettings;
import org.jtorrent.storage.DataRemoval;
import org.jtorrent.storage.Recheck;
import org.jtorrent.storage.ResumeData;
import org.jtorrent.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A torrent in a {@link Session}: what a program holds to watch and steer it. Its state is explicit
 * ({@link TorrentState}); every transition happens under the handle's transition lock, which only
 * the session's threads and callers of {@link #pause}, {@link #resume}, {@link #recheck} and
 * {@link #remove} take, never a connection's thread. Creating a handle starts nothing: the session
 * checks it, then runs it when the queue gives it a slot.
 *
 * <p>What outlives a run (the pieces had while paused or queued, the byte counters for the ratio)
 * is kept here; the run ({@link TorrentRun}) holds what only an active torrent needs.
 */
public final class TorrentHandle implements StateSaver.Source {
    private static final Logger log = LoggerFactory.getLogger(TorrentHandle.class);

    private final Session session;
    private final InfoHash infoHash;
    /** Null until the metadata arrives (a magnet link); written once, under "transitions". */
    private volatile Metainfo metainfo;
    /** What a torrent added by magnet link was added with (trackers, peers, file selection); null otherwise. */
    private final MagnetLink magnet;
    private final TorrentOptions options;
    /** What the state directory had of it (or what it was added with): name, trackers, when added. */
    private final TorrentSettings recorded;
    /** This torrent's own rate limits, one bucket each way for all its runs. */
    private final RateLimiter uploadLimit, downloadLimit;
    /** The run's shares of the session's limits, and the session they came from (null while no run holds them). Guarded by transitions. */
    private RateLimiter uploadShare, downloadShare;
    private SessionContext shareContext;
    /** Peers given after adding (kept like the options' ones), for this and later runs. */
    private final List<java.net.InetSocketAddress> addedPeers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Which files, in what order: the options' at first, then as the user changes it. */
    private volatile Selection selection;
    private final ReentrantLock transitions = new ReentrantLock();

    // Written under "transitions"; volatile for the readers of status().
    private volatile TorrentState state;
    private volatile String error = "";
    private volatile TorrentRun run;
    /** The metadata phase of a magnet torrent while it fetches; null otherwise. */
    private volatile MetadataRun fetchRun;
    /**
     * The connections of a finished metadata phase, waiting for the torrent's first run to take them
     * over (through its check and the queue); closed if the torrent stops before it runs.
     */
    private MagnetHost handedOver;
    /** The host whose connections the current run took over from the metadata phase (tests look at them). */
    private volatile MagnetHost adoptedFrom;
    private volatile CompletableFuture<Void> completion = new CompletableFuture<>();
    private boolean paused;
    private boolean removed;
    /** Bumped whenever a check in flight is superseded (recheck, remove): its result is then dropped. */
    private int checkGeneration;
    /** The pieces on disk while there is no run; null until checked. */
    private BitSet have;
    /** Counters of runs that ended. */
    private volatile long downloadedBefore, uploadedBefore;

    // The session's sampler writes these once a second.
    private volatile long downloadRate, uploadRate;
    private long lastDownloaded, lastUploaded, lastSampleNanos;
    private long idleSinceNanos = -1;
    private volatile int queuePosition;

    /**
     * @param recorded what the state directory keeps of it: counters and the time it was added come
     *                 from there; the options win for everything they say
     */
    TorrentHandle(Session session, Metainfo metainfo, TorrentOptions options, TorrentSettings recorded, int queuePosition) {
        this(session, metainfo.infoHash(), metainfo, null, options, recorded, queuePosition);
    }

    /** A torrent known by its magnet link: it fetches its metadata first. */
    TorrentHandle(Session session, MagnetLink magnet, TorrentOptions options, TorrentSettings recorded, int queuePosition) {
        this(session, magnet.infoHash(), null, magnet, options, recorded, queuePosition);
    }

    private TorrentHandle(Session session, InfoHash infoHash, Metainfo metainfo, MagnetLink magnet, TorrentOptions options,
                          TorrentSettings recorded, int queuePosition) {
        this.session = session;
        this.metainfo = metainfo;
        this.magnet = magnet;
        this.infoHash = infoHash;
        this.options = options;
        this.recorded = recorded;
        this.paused = options.paused();
        this.queuePosition = queuePosition;
        this.state = metainfo == null ? TorrentState.FETCHING_METADATA : TorrentState.CHECKING;
        this.uploadedBefore = recorded.totalUploaded();
        this.downloadedBefore = recorded.totalDownloaded();
        this.selection = options.selection();
        this.uploadLimit = limiter(options.uploadLimit());
        this.downloadLimit = limiter(options.downloadLimit());
    }

    private static RateLimiter limiter(long bytesPerSecond) {
        return bytesPerSecond > 0 ? RateLimiter.of(TokenBucket.perSecond(bytesPerSecond)) : RateLimiter.of();
    }

    /**
     * Sets the file priorities (one per file, 0..7, 0 = do not download), now and for later runs:
     * a file selected later is fetched, its bytes already kept in the part file moved into place
     * first; a finished torrent goes back to downloading.
     */
    public void filePriorities(int[] priorities) throws IOException {
        if (metainfo != null) org.jtorrent.metainfo.Priorities.checkFiles(metainfo.info().layout(), priorities);
        Selection s = selection;
        selection = new Selection(priorities, s.sequential(), s.fileEndsFirst());
        TorrentRun r = run;
        if (r != null) {
            r.torrent().filePriorities(priorities);
            // At once, not only when the run's event arrives: completion() must not still be the finished one on return.
            if (!r.torrent().isComplete()) unfinished(r);
        }
        session.stateChanged(this);
    }

    /** Sequential mode (pieces in order within a window, for streaming), and first-and-last pieces of each file first. */
    public void sequential(boolean sequential, boolean fileEndsFirst) {
        Selection s = selection;
        selection = new Selection(s.filePriorities(), sequential, fileEndsFirst);
        TorrentRun r = run;
        if (r != null) r.torrent().sequential(sequential, fileEndsFirst);
        session.stateChanged(this);
    }

    public Selection selection() {
        return selection;
    }

    /** Peers to dial besides the trackers' (kept however often they fail), now and in later runs. */
    public void addPeers(java.util.Collection<java.net.InetSocketAddress> peers) {
        addedPeers.addAll(peers);
        TorrentRun r = run;
        if (r != null) r.peerSet().offer(peers, true);
        MetadataRun f = fetchRun;
        if (f != null) f.peerSet().offer(peers, true);
    }

    public InfoHash infoHash() {
        return infoHash;
    }

    /** The torrent's metadata; empty while it is being fetched (a magnet link). */
    public Optional<Metainfo> metainfo() {
        return Optional.ofNullable(metainfo);
    }

    public TorrentOptions options() {
        return options;
    }

    public TorrentState state() {
        return state;
    }

    /**
     * Completes when every wanted piece is verified; fails when the torrent goes to
     * {@link TorrentState#ERROR}. A resume after an error starts a new future.
     */
    public CompletableFuture<Void> completion() {
        return completion;
    }

    // ---- the user's commands ----

    /** Stops transferring (closing connections, telling trackers {@code stopped}) until {@link #resume}. */
    public void pause() {
        transitions.lock();
        try {
            paused = true;
            if (removed) return;
            if (fetchRun != null) {
                stopFetching("paused");
                moveTo(TorrentState.PAUSED);
            } else if (run != null) stopRun(TorrentState.PAUSED);
            else if (state == TorrentState.QUEUED || state == TorrentState.ERROR) moveTo(TorrentState.PAUSED);
            // CHECKING ends in PAUSED by itself.
        } finally {
            transitions.unlock();
        }
        session.queueChanged();
    }

    /** Lets a paused torrent run again when the queue has room; a torrent in error is checked again first. */
    public void resume() {
        transitions.lock();
        try {
            paused = false;
            if (removed) return;
            if (metainfo == null) {
                if (fetchRun == null) startFetching();
            } else if (state == TorrentState.ERROR || (state == TorrentState.PAUSED && have == null)) beginCheck(false);
            else if (state == TorrentState.PAUSED) moveTo(TorrentState.QUEUED);
        } finally {
            transitions.unlock();
        }
        session.queueChanged();
    }

    /** Hashes every piece on disk again, ignoring resume data; afterwards the torrent goes on as before (or stays paused). */
    public void recheck() {
        transitions.lock();
        try {
            if (removed) return;
            beginCheck(true);
        } finally {
            transitions.unlock();
        }
    }

    /** Takes the torrent out of the session; with {@code deleteData}, its files too (only its own files, see {@link DataRemoval}). */
    public void remove(boolean deleteData) throws IOException {
        transitions.lock();
        try {
            if (removed) return;
            removed = true;
            checkGeneration++;
            if (fetchRun != null) stopFetching("removed");
            dropHandedOver("removed");
            if (run != null) stopRun(state);
        } finally {
            transitions.unlock();
        }
        // Not under the transitions lock: forget waits for a save of this torrent's record under way, and that save
        // takes the lock (verified()); holding it here deadlocked a removal against the state loop.
        session.forget(this);
        if (deleteData && metainfo != null) {
            java.nio.file.Files.deleteIfExists(ResumeData.file(options.folder(), infoHash)); // where older versions kept it
            DataRemoval.delete(metainfo.info(), options.folder());
        }
        completion.completeExceptionally(new IOException("removed"));
        session.emit(new SessionEvent.Removed(infoHash, deleteData));
    }

    // ---- the session's side ----

    /** Starts the first check (or waits for metadata). Called once, by the session, after adding. */
    void begin() {
        transitions.lock();
        try {
            if (metainfo == null) {
                if (paused) moveTo(TorrentState.PAUSED);
                else startFetching();
            } else beginCheck(false);
        } finally {
            transitions.unlock();
        }
    }

    /**
     * With the lock held: starts the metadata phase of a magnet torrent. Connections run without a
     * piece layout until the info dictionary arrives ({@link #metadataArrived}); the session routes
     * incoming connections for it to the phase's host. Not subject to the queue: fetching costs a
     * few small messages, and the torrent queues as any other once it knows what it is.
     */
    private void startFetching() {
        moveTo(TorrentState.FETCHING_METADATA);
        SessionContext context = session.context();
        if (context == null) return; // not started: begin() comes at the start
        MetadataRun[] started = new MetadataRun[1];
        List<List<String>> tiers = magnetTiers();
        started[0] = MetadataRun.open(infoHash, tiers, allPeers(), options.maxPeers(), limits(context), context,
                info -> OUTCOMES.execute(() -> metadataArrived(started[0], info)));
        fetchRun = started[0];
        session.registerFetching(infoHash, started[0].host());
        started[0].start();
    }

    /** Each tracker of the magnet link is a tier of its own, as libtorrent announces them. */
    private List<List<String>> magnetTiers() {
        if (magnet != null) return magnet.trackers().stream().map(List::of).toList();
        return recorded.trackers();
    }

    /** With the lock held: ends the metadata phase and closes its connections. */
    private void stopFetching(String why) {
        MetadataRun r = fetchRun;
        fetchRun = null;
        session.unregisterFetching(infoHash, r.host());
        r.close(why);
    }

    /** With the lock held: closes the connections that waited for the torrent's first run. */
    private void dropHandedOver(String why) {
        MagnetHost h = handedOver;
        handedOver = null;
        if (h != null) h.closeAll(why);
    }

    /**
     * The info dictionary arrived and hashed to the info-hash (on a thread of its own): the torrent
     * becomes an ordinary one. Its metadata is parsed (a dictionary that hashes right but is no
     * valid torrent is an error), saved, its {@code so} selection applied; the metadata phase stops
     * dialling and announcing but its connections wait for the run, which takes them over; then the
     * usual check, queue and run.
     */
    private void metadataArrived(MetadataRun from, byte[] info) {
        Metainfo parsed = null;
        Exception invalid = null;
        try {
            parsed = Metainfo.fromInfo(info, magnetTiers(), magnet == null ? List.of() : magnet.webSeeds());
        } catch (org.jtorrent.metainfo.InvalidTorrentException | RuntimeException e) {
            invalid = e;
        }
        transitions.lock();
        try {
            if (removed || fetchRun != from) return;
            if (invalid != null) {
                stopFetching("invalid metadata");
                moveToError(new IOException("the metadata from peers is not a valid torrent: " + invalid.getMessage(), invalid));
                return;
            }
            fetchRun = null;
            session.unregisterFetching(infoHash, from.host());
            handedOver = from.finish();
            metainfo = parsed;
            applySelectOnly(parsed);
            session.metadataArrived(this, parsed);
            session.emit(new SessionEvent.MetadataReceived(infoHash));
            log.info("{}: metadata received ({} bytes, {} pieces)", parsed.info().name(), info.length, parsed.info().pieceCount());
            beginCheck(false);
        } finally {
            transitions.unlock();
        }
        session.queueChanged();
    }

    /** The magnet's BEP 53 {@code so}, unless the options chose files already; one that does not fit the torrent is ignored with a warning. */
    private void applySelectOnly(Metainfo known) {
        if (magnet == null || magnet.selectOnly().isEmpty() || selection.filePriorities() != null) return;
        try {
            // Indices past the end are ignored one by one, as libtorrent does (MagnetLink.fileSelection).
            int[] levels = magnet.fileSelection(known.info().files().size()).orElseThrow()
                    .priorities(org.jtorrent.metainfo.Priorities.DEFAULT);
            Selection s = selection;
            selection = new Selection(levels, s.sequential(), s.fileEndsFirst());
        } catch (IllegalArgumentException e) {
            log.warn("{}: ignoring the magnet's file selection so={}: {}", known.info().name(), magnet.selectOnly().get(), e.getMessage());
        }
    }

    /** The limits of the metadata phase: the torrent's own and the session's (its few messages take no fair share). */
    private TransferLimits limits(SessionContext context) {
        TransferLimits limits = context.config().limits();
        return limits.withUpload(uploadLimit.and(limits.upload())).withDownload(downloadLimit.and(limits.download()));
    }

    /** With the lock held: stops any run and hands a check to the session's checking queue. */
    private void beginCheck(boolean force) {
        if (run != null) stopRun(TorrentState.CHECKING);
        moveTo(TorrentState.CHECKING);
        int generation = ++checkGeneration;
        session.check(() -> check(generation, force));
    }

    /** Runs on the session's checking thread, without the lock: a re-check may take minutes. */
    private void check(int generation, boolean force) {
        BitSet found;
        try {
            found = findPiecesOnDisk(force);
        } catch (IOException | RuntimeException e) {
            fail(generation, e);
            return;
        }
        transitions.lock();
        try {
            if (removed || generation != checkGeneration) return;
            have = found;
            moveTo(paused ? TorrentState.PAUSED : TorrentState.QUEUED);
        } finally {
            transitions.unlock();
        }
        session.queueChanged();
    }

    /**
     * The pieces on disk: those resume data vouches for (unless forced), plus, after a crash, those
     * written since its last save, found by hashing; with no usable resume data, by hashing all
     * ({@link Recheck#afterResume}). Resume data that needs no hashing opens no file: a thousand
     * torrents start in the time it takes to read their records.
     */
    private BitSet findPiecesOnDisk(boolean force) throws IOException {
        Optional<ResumeData.Loaded> resumed = force ? Optional.empty() : session.loadResume(infoHash, options.folder(), metainfo.info());
        if (resumed.isPresent() && !resumed.get().othersMayBeOnDisk()) {
            BitSet have = resumed.get().have();
            log.info("{}: fast resume, {} of {} pieces", metainfo.info().name(), have.cardinality(), pieceCount());
            session.resumeUnchanged(this, have);
            return have;
        }
        try (Storage storage = Storage.open(metainfo.info(), options.folder(), session.config().storage(), session.disk(),
                infoHash, selection.filePriorities())) {
            BitSet found = Recheck.afterResume(storage, session.disk().hasher(), 8, resumed);
            log.info("{}: {} found {} of {} pieces", metainfo.info().name(),
                    resumed.isPresent() ? "resume data and a check of the rest" : "a re-check", found.cardinality(), pieceCount());
            return found;
        }
    }

    /** The connections of the metadata phase (a magnet link still fetching), for tests; empty otherwise. */
    java.util.Set<org.jtorrent.peer.PeerConnection> fetchingConnections() {
        MetadataRun f = fetchRun;
        return f == null ? java.util.Set.of() : f.host().connections();
    }

    /** The connections the current run took over from the metadata phase, for tests. */
    List<org.jtorrent.peer.PeerConnection> adoptedConnections() {
        MagnetHost h = adoptedFrom;
        return h == null ? List.of() : h.handedOver();
    }

    /** The metadata exchange of the metadata phase (while fetching, or of the connections the run took over), for tests. */
    Optional<org.jtorrent.metadata.MetadataExchange> metadataExchange() {
        MetadataRun f = fetchRun;
        if (f != null) return Optional.of(f.host().exchange());
        MagnetHost h = adoptedFrom;
        return h == null ? Optional.empty() : Optional.of(h.exchange());
    }

    /** Whether the queue may run it: checked, not paused, not failed, not removed. */
    boolean isRunnable() {
        TorrentState s = state;
        return s == TorrentState.QUEUED || s.isActive();
    }

    /** Whether every wanted piece is on disk (it would seed); false while unchecked. */
    boolean isComplete() {
        TorrentRun r = run;
        if (r != null) return r.torrent().isComplete();
        transitions.lock();
        try {
            if (have == null) return false;
            int[] levels = org.jtorrent.metainfo.Priorities.ofPieces(metainfo.info().layout(), filePriorityLevels());
            for (int piece = have.nextClearBit(0); piece < levels.length; piece = have.nextClearBit(piece + 1)) {
                if (levels[piece] > 0) return false;
            }
            return true;
        } finally {
            transitions.unlock();
        }
    }

    /** One level per file: the selection's, or the default for every file. */
    private int[] filePriorityLevels() {
        int[] chosen = selection.filePriorities();
        return chosen != null ? chosen
                : org.jtorrent.metainfo.Priorities.allFiles(metainfo.info().layout(), org.jtorrent.metainfo.Priorities.DEFAULT);
    }

    /** The queue gave it a slot: opens its files and starts its run. */
    void activate(SessionContext context) {
        transitions.lock();
        try {
            if (removed || state != TorrentState.QUEUED) return;
            TorrentRun started;
            try {
                // The session's limits reach the run through its fair shares of them (FairShares).
                uploadShare = context.uploadShares().join();
                downloadShare = context.downloadShares().join();
                shareContext = context;
                TransferLimits limits = context.config().limits();
                limits = limits.withUpload(uploadLimit.and(uploadShare)).withDownload(downloadLimit.and(downloadShare));
                started = TorrentRun.open(metainfo, options.withPeers(allPeers()).withSelection(selection), limits, have, context,
                        runOwner());
            } catch (IOException | RuntimeException e) {
                leaveShares();
                moveToError(e);
                return;
            }
            run = started;
            lastDownloaded = downloadedBefore;
            lastUploaded = uploadedBefore;
            lastSampleNanos = System.nanoTime();
            idleSinceNanos = -1;
            session.register(infoHash, started.torrent());
            Torrent torrent = started.torrent();
            // The connections made while fetching the metadata go on, taken over before the run dials:
            // a dial to a peer we already have is then refused as the second connection it is.
            MagnetHost waiting = handedOver;
            handedOver = null;
            if (waiting != null) waiting.handOver(torrent);
            adoptedFrom = waiting;
            started.start();
            // Downloading again (after a recheck found damage, or more was selected): a new completion to wait for.
            if (!torrent.isComplete() && completion.isDone()) completion = new CompletableFuture<>();
            moveTo(torrent.isComplete() ? TorrentState.SEEDING : TorrentState.DOWNLOADING);
            // On a thread of its own: the completion may come on a hasher thread, and the outcome takes this lock.
            watchCompletion(started);
            // A seed's storage can fail too (a file deleted under it): its completion is long done.
            torrent.storageFailure().thenAcceptAsync(failure -> runEnded(started, failure), OUTCOMES);
        } finally {
            transitions.unlock();
        }
    }

    /** On a thread of its own: the outcome takes the transition lock, and may come on a hasher thread. */
    private static final java.util.concurrent.Executor OUTCOMES = r -> Thread.ofVirtual().name("torrent-outcome").start(r);

    /** Hears when the run's torrent has every wanted piece (again, after more was selected), or fails. */
    private void watchCompletion(TorrentRun r) {
        r.torrent().completion().whenCompleteAsync((done, failure) -> runEnded(r, failure), OUTCOMES);
    }

    /** More was selected after the run finished: downloading again, with a new completion to wait for. */
    private void unfinished(TorrentRun r) {
        transitions.lock();
        try {
            if (run != r || r.torrent().isComplete()) return; // gone, or finished again since
            if (completion.isDone()) completion = new CompletableFuture<>();
            moveTo(TorrentState.DOWNLOADING);
        } finally {
            transitions.unlock();
        }
        watchCompletion(r);
        session.queueChanged();
    }

    /** The queue took its slot away: back to waiting. */
    void deactivate() {
        transitions.lock();
        try {
            if (run != null) stopRun(TorrentState.QUEUED);
        } finally {
            transitions.unlock();
        }
    }

    /** The session is closing: stops the run, leaving the state as it is for the record. */
    void close() {
        transitions.lock();
        try {
            checkGeneration++;
            if (fetchRun != null) stopFetching("closing");
            dropHandedOver("closing");
            if (run != null) stopRun(state);
        } finally {
            transitions.unlock();
        }
    }

    private List<java.net.InetSocketAddress> allPeers() {
        List<java.net.InetSocketAddress> all = new ArrayList<>(options.peers());
        if (magnet != null) all.addAll(magnet.peers());
        all.addAll(addedPeers);
        return all;
    }

    private TorrentRun.Owner runOwner() {
        return new TorrentRun.Owner() {
            @Override
            public void unfinished() {
                TorrentRun r = run;
                if (r != null) OUTCOMES.execute(() -> TorrentHandle.this.unfinished(r));
            }

            @Override
            public void pieceVerified(int piece) {
                session.emit(new SessionEvent.PieceVerified(infoHash, piece));
            }

            @Override
            public void pieceFailed(int piece) {
                session.emit(new SessionEvent.PieceFailed(infoHash, piece));
            }

            @Override
            public void banned(InetAddress peer) {
                session.emit(new SessionEvent.PeerBanned(infoHash, peer));
            }
        };
    }

    /** The run's torrent completed or failed (a storage error). */
    private void runEnded(TorrentRun ended, Throwable failure) {
        if (failure != null) {
            transitions.lock();
            try {
                if (run == ended) moveToError(failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure);
            } finally {
                transitions.unlock();
            }
            session.queueChanged();
            return;
        }
        CompletableFuture<Void> done;
        transitions.lock();
        try {
            // A completion that was overtaken (more selected since) says nothing any more.
            if (run != ended || !ended.torrent().isComplete()) return;
            moveTo(TorrentState.SEEDING);
            done = completion;
        } finally {
            transitions.unlock();
        }
        // Told once: the run's completion and a selection change may both report it.
        if (!done.complete(null)) return;
        session.emit(new SessionEvent.Completed(infoHash));
        session.queueChanged();
    }

    /** With the lock held: the run's shares of the session's limits go back to the others. */
    private void leaveShares() {
        if (shareContext == null) return;
        shareContext.uploadShares().leave(uploadShare);
        shareContext.downloadShares().leave(downloadShare);
        shareContext = null;
    }

    /** With the lock held: ends the run, keeps what it had, and moves to {@code next}. */
    private void stopRun(TorrentState next) {
        TorrentRun ending = run;
        run = null;
        leaveShares();
        adoptedFrom = null;
        session.unregister(infoHash, ending.torrent());
        Torrent torrent = ending.torrent();
        try {
            have = ending.close();
        } catch (IOException e) {
            have = torrent.have();
            log.warn("{}: closing its files: {}", metainfo.info().name(), e.getMessage());
        }
        downloadedBefore += torrent.receivedBytes();
        uploadedBefore += torrent.sentBytes();
        downloadRate = 0;
        uploadRate = 0;
        session.runStopped(this, have);
        moveTo(next);
    }

    private void fail(int generation, Throwable why) {
        transitions.lock();
        try {
            if (removed || generation != checkGeneration) return;
            moveToError(why);
        } finally {
            transitions.unlock();
        }
        session.queueChanged();
    }

    /** With the lock held: stops any run, records a one-line reason and fails the completion. */
    private void moveToError(Throwable why) {
        String reason = oneLine(why);
        if (run != null) stopRun(TorrentState.ERROR);
        error = reason;
        moveTo(TorrentState.ERROR);
        log.error("{}: stopped: {}", this, reason);
        CompletableFuture<Void> failed = completion;
        completion = new CompletableFuture<>();
        failed.completeExceptionally(why instanceof IOException io ? io : new IOException(reason, why));
        session.emit(new SessionEvent.Error(infoHash, reason));
    }

    private static String oneLine(Throwable why) {
        String message = why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }

    /** With the lock held. */
    private void moveTo(TorrentState next) {
        // Connections kept from the metadata phase wait only for the first run: not through a pause or an error.
        if (handedOver != null && next != TorrentState.CHECKING && next != TorrentState.QUEUED && !next.isActive()) {
            dropHandedOver("stopped before running: " + next);
        }
        TorrentState from = state;
        if (next != TorrentState.ERROR) error = "";
        if (from == next) return;
        state = next;
        session.emit(new SessionEvent.StateChanged(infoHash, from, next));
        session.stateChanged(this);
    }

    // ---- StateSaver.Source (infoHash() above is its key) ----

    @Override
    public TorrentSettings settings() {
        Torrent live = liveTorrent().orElse(null);
        boolean pausedNow;
        transitions.lock();
        try {
            pausedNow = paused;
        } finally {
            transitions.unlock();
        }
        int[] chosen = selection.filePriorities();
        return recorded.withSavePath(options.folder()).withPaused(pausedNow)
                .withFilePriorities(chosen == null ? new int[0] : chosen).withSequential(selection.sequential())
                .withLimits(options.uploadLimit(), options.downloadLimit()).withQueuePosition(queuePosition)
                .withTotals(uploadedBytes(live), downloadedBytes(live));
    }

    /**
     * Empty while there is no metadata, and while the pieces on disk were never found out (the
     * first check is running): resume data written then would vouch for nothing, and a restart
     * would trust that over the data a seeder was added with.
     */
    @Override
    public Optional<InfoDict> info() {
        if (metainfo == null) return Optional.empty();
        transitions.lock();
        try {
            return have == null && run == null ? Optional.empty() : Optional.of(metainfo.info());
        } finally {
            transitions.unlock();
        }
    }

    @Override
    public BitSet verified() {
        TorrentRun r = run;
        return r != null ? r.torrent().have() : haveSnapshot();
    }

    // ---- status ----

    /** The live torrent while active (for tests and the one-torrent facade); empty otherwise. */
    Optional<Torrent> liveTorrent() {
        TorrentRun r = run;
        return r == null ? Optional.empty() : Optional.of(r.torrent());
    }

    Optional<TorrentRun> liveRun() {
        return Optional.ofNullable(run);
    }

    void queuePosition(int position) {
        queuePosition = position;
    }

    int queuePosition() {
        return queuePosition;
    }

    /**
     * Called by the session's sampler about once a second: measures the rates, and returns whether
     * the torrent has been idle (below {@code idleRate}) for at least {@code idleAfter}.
     */
    boolean sample(long now, long idleRate, Duration idleAfter) {
        TorrentRun r = run;
        if (r == null) {
            idleSinceNanos = -1;
            return false;
        }
        r.tick(); // peer exchange rides on this once-a-second pass
        long down = downloadedBytes(r.torrent());
        long up = uploadedBytes(r.torrent());
        double seconds = Math.max(1e-3, (now - lastSampleNanos) / 1e9);
        downloadRate = (long) ((down - lastDownloaded) / seconds);
        uploadRate = (long) ((up - lastUploaded) / seconds);
        lastDownloaded = down;
        lastUploaded = up;
        lastSampleNanos = now;
        if (downloadRate + uploadRate >= idleRate) idleSinceNanos = -1;
        else if (idleSinceNanos < 0) idleSinceNanos = now;
        return idleFor(now, idleAfter);
    }

    /** Whether the torrent runs and its last {@link #sample} found it idle for at least {@code idleAfter} by {@code now}. */
    boolean idleFor(long now, Duration idleAfter) {
        return run != null && idleSinceNanos >= 0 && now - idleSinceNanos >= idleAfter.toNanos();
    }

    /** Payload received over the torrent's life in this session: runs that ended, and {@code live} (null: none). */
    private long downloadedBytes(Torrent live) {
        return downloadedBefore + (live == null ? 0 : live.receivedBytes());
    }

    /** Payload sent over the torrent's life in this session: runs that ended, and {@code live} (null: none). */
    private long uploadedBytes(Torrent live) {
        return uploadedBefore + (live == null ? 0 : live.sentBytes());
    }

    public TorrentStatus status() {
        TorrentRun r = run;
        Torrent live = r == null ? null : r.torrent();
        long downloaded = downloadedBytes(live);
        long uploaded = uploadedBytes(live);
        int peers = 0, seeds = 0;
        if (live != null) {
            for (PeerStatus p : live.peers()) {
                peers++;
                if (p.progress() >= 1.0) seeds++;
            }
        }
        MetadataRun fetching = fetchRun;
        if (fetching != null) peers = fetching.host().connectionCount();
        Metainfo metainfo = this.metainfo;
        if (metainfo == null) {
            String name = magnet != null && magnet.displayName().isPresent() ? magnet.displayName().get()
                    : recorded.name().isEmpty() ? infoHash.hex() : recorded.name();
            return new TorrentStatus(infoHash, name, state, error, 0, 0, 0, downloadRate, uploadRate, downloaded,
                    uploaded, peers, seeds, Optional.empty(), ratio(uploaded, downloaded), List.of(), queuePosition);
        }
        long[] perFile = live != null ? live.fileProgress()
                : Torrent.fileProgress(metainfo.info().layout(), metainfo.info().files().size(), haveSnapshot());
        long total = 0, had = 0;
        List<FileEntry> files = metainfo.info().files();
        int[] levels = filePriorityLevels();
        List<Long> fileProgress = new ArrayList<>(perFile.length);
        for (int i = 0; i < perFile.length; i++) {
            fileProgress.add(perFile[i]);
            if (files.get(i).isPadding() || levels[i] == 0) continue; // the size of a torrent is what was selected of it
            total += files.get(i).length();
            had += perFile[i];
        }
        double progress = total == 0 ? 1.0 : had / (double) total;
        long rate = downloadRate;
        Optional<Duration> eta = had < total && rate > 0 ? Optional.of(Duration.ofSeconds((total - had) / rate)) : Optional.empty();
        return new TorrentStatus(infoHash, metainfo.info().name(), state, error, total, had, progress, downloadRate, uploadRate,
                downloaded, uploaded, peers, seeds, eta, ratio(uploaded, downloaded), fileProgress, queuePosition);
    }

    /** How many peers to dial each source named (trackers, PEX, the user); empty while not active. */
    public java.util.Map<PeerSource, Integer> peerSources() {
        TorrentRun r = run;
        return r == null ? java.util.Map.of() : r.peerSet().sourceCounts();
    }

    /** The open connections now; empty while not active. */
    public List<PeerStatus> peers() {
        TorrentRun r = run;
        return r == null ? List.of() : r.torrent().peers();
    }

    private BitSet haveSnapshot() {
        transitions.lock();
        try {
            return have == null ? new BitSet() : (BitSet) have.clone();
        } finally {
            transitions.unlock();
        }
    }

    private static double ratio(long uploaded, long downloaded) {
        return downloaded == 0 ? 0 : uploaded / (double) downloaded;
    }

    private int pieceCount() {
        return metainfo.info().pieceCount();
    }

    @Override
    public String toString() {
        return (metainfo == null ? infoHash.hex() : metainfo.info().name()) + " [" + state + "]";
    }
}
