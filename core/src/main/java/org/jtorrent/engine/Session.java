package org.jtorrent.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jtorrent.choke.FairShares;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.mse.ObfuscatedHash;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerHost;
import org.jtorrent.peer.PeerRouter;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.state.StateSaver;
import org.jtorrent.state.TorrentSettings;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.ResumeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many torrents in one process, sharing what is process-wide: one listen port (an incoming
 * connection goes to the torrent its handshake names; an unknown info-hash is closed), one peer id,
 * one hashing pool, the connection caps ({@link ConnectionSlots}), one choker over every active
 * torrent's peers ({@link ChokeDriver}) and the global rate limits. Torrents are
 * {@link TorrentHandle}s: checked one at a time on the checking thread, then run as the queue
 * allows ({@link QueuePolicy}).
 *
 * <p>Threads, all started by {@link #start}: the acceptor, the choker, the queue and sampling loop
 * (once a second, or when a torrent changes state), the checker (one check at a time, as
 * libtorrent's default), the event dispatcher, and each active torrent's own (its peer set, its
 * trackers, its connections). Constructing a session, or adding a torrent before the start, starts
 * none.
 */
public final class Session implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /**
     * Incoming connections in their handshake at once. Each holds its slot for at most the handshake
     * timeout (one deadline for the whole handshake), and while all are taken new connections wait
     * in the kernel's backlog instead of being turned away: a flood of slow handshakes delays an
     * honest peer by about one timeout, never locks it out.
     */
    static final int HANDSHAKE_SLOTS = 64;
    /** Back-off after a failed accept (out of file descriptors, say): doubling from the first to the last. */
    static final long ACCEPT_BACKOFF_FIRST_MILLIS = 10, ACCEPT_BACKOFF_MAX_MILLIS = 1000;
    private static final long TICK_MILLIS = 1000;
    private final java.util.concurrent.atomic.AtomicLong statePasses = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong queueSamples = new java.util.concurrent.atomic.AtomicLong();
    /** When the queue loop last sampled the rates; its thread only. */
    private long lastQueueSample = System.nanoTime() - TICK_MILLIS * 1_000_000L;

    private final SessionConfig config;
    /** Where torrents are kept across restarts; null: nowhere (resume data then goes to each download folder at a stop). */
    private final StateDirectory state;
    private final StateSaver saver;
    /** Torrents whose state changed since the state thread last saved them. */
    private final Set<TorrentHandle> changed = ConcurrentHashMap.newKeySet();
    private final Semaphore stateWake = new Semaphore(0);
    private final PeerId peerId = PeerId.random();
    /** Open files, hashing and flushing threads, the memory budget: shared by every torrent. */
    private final DiskResources disk;
    private final ConnectionSlots slots;
    private final ChokeDriver choker;
    /** Every torrent, in queue order. */
    private final List<TorrentHandle> queue = new CopyOnWriteArrayList<>();
    private final Map<InfoHash, TorrentHandle> byInfoHash = new ConcurrentHashMap<>();
    /** The active torrents, by info-hash: where incoming connections are routed. */
    private final Map<InfoHash, Torrent> running = new ConcurrentHashMap<>();
    /** Magnet torrents fetching their metadata, by info-hash: incoming connections for them go here. */
    private final Map<InfoHash, MagnetHost> fetching = new ConcurrentHashMap<>();
    /** Both of the above by HASH('req2', info-hash): where incoming MSE connections are routed. */
    private final Map<ObfuscatedHash, Swarm> byObfuscatedHash = new ConcurrentHashMap<>();
    private final Semaphore handshaking = new Semaphore(HANDSHAKE_SLOTS);
    private final Semaphore queueWake = new Semaphore(0);
    private final ExecutorService checker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("checker").factory());
    private final LinkedBlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();
    private final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServerSocketChannel listener;
    private volatile SessionContext context;
    private volatile DhtNode dht; // null without a DHT
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /** A session that keeps nothing across restarts. */
    public Session(SessionConfig config) {
        this(config, null, StateSaver.DEFAULT_RESUME_INTERVAL);
    }

    /**
     * A session kept in {@code state} (opened and locked by the caller, who closes it after the
     * session): {@link #start} brings back every torrent recorded there, in queue order and in its
     * state (paused stays paused); each torrent's record is written on every state change, and its
     * resume data at most every {@code resumeInterval} while pieces verify ({@link StateSaver}).
     */
    public Session(SessionConfig config, StateDirectory state, Duration resumeInterval) {
        this.config = config;
        this.state = state;
        this.saver = state == null ? null : new StateSaver(state, resumeInterval, System::nanoTime);
        this.disk = new DiskResources(config.disk());
        this.slots = new ConnectionSlots(config.maxConnections(), config.maxHalfOpen());
        this.choker = new ChokeDriver(() -> running.values(), config.limits().choker(), new Random());
    }

    /** Binds the listen port and starts the session's threads; torrents added before start now. */
    public void start() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(); // channels: the frame reader reads them into direct buffers
        try {
            channel.bind(new InetSocketAddress(config.bind(), config.listenPort()), HANDSHAKE_SLOTS);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        start(channel);
    }

    /** Starts with a bound listener of the caller's (tests hand in one that fails on purpose). */
    void start(ServerSocketChannel channel) {
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("session already started");
        listener = channel;
        dht = startDht(channel.socket().getLocalPort());
        context = new SessionContext(config, peerId, channel.socket().getLocalPort(), disk, slots, choker,
                FairShares.of(config.limits().upload()), FairShares.of(config.limits().download()), dht);
        choker.start();
        threads.add(Thread.ofVirtual().name("accept").start(this::acceptLoop));
        threads.add(Thread.ofVirtual().name("session-queue").start(this::queueLoop));
        threads.add(Thread.ofVirtual().name("session-events").start(this::dispatchEvents));
        if (state != null) {
            restore();
            // A platform thread: fsync blocks, and a virtual thread would hold its carrier meanwhile.
            threads.add(Thread.ofPlatform().daemon().name("session-state").start(this::stateLoop));
        }
        for (TorrentHandle h : queue) h.begin();
    }

    /**
     * The session's DHT node when the config asks for one: on the TCP port's number unless the DHT
     * config names a port, bootstrapped from the nodes the state directory saved. A node that cannot
     * start is logged and left out: the torrents still have their trackers.
     */
    private DhtNode startDht(int tcpPort) {
        DhtConfig c = config.dht();
        if (c == null) return null;
        if (c.bind().getPort() == 0) c = c.withBind(new InetSocketAddress(c.bind().getAddress(), tcpPort));
        DhtNode node = new DhtNode(c);
        try {
            if (state != null) state.loadDhtState(node.isIpv6()).ifPresent(node::restoreState);
            node.onEvent(line -> log.info("{}", line));
            node.start();
            return node;
        } catch (IOException e) {
            log.warn("DHT not started: {}", e.getMessage());
            node.close();
            return null;
        }
    }

    /** Adds every torrent the state directory holds, in queue order, as it was (paused stays paused). */
    private void restore() {
        StateDirectory.Loaded loaded;
        try {
            loaded = state.load();
        } catch (IOException e) {
            log.error("state directory {} unreadable, starting empty: {}", state.root(), e.toString());
            return;
        }
        loaded.warnings().forEach(w -> log.warn("state directory: {}", w));
        for (StateDirectory.StoredTorrent stored : loaded.torrents()) {
            TorrentSettings s = stored.settings();
            int[] priorities = s.filePriorities();
            TorrentOptions options = TorrentOptions.in(s.savePath()).withPaused(s.paused())
                    .withRateLimits(s.uploadLimit(), s.downloadLimit())
                    .withSelection(new Selection(priorities.length == 0 ? null : priorities, s.sequential(), false));
            TorrentHandle handle;
            if (stored.metainfo().isPresent()) {
                handle = enqueue(stored.metainfo().get().infoHash(), position -> new TorrentHandle(this, stored.metainfo().get(), options, s, position));
            } else { // a magnet link still fetching its metadata: it goes on fetching (without its link kept, from its trackers)
                MagnetLink magnet = stored.magnet().orElseGet(() -> new MagnetLink(s.infoHash(),
                        s.name().isEmpty() ? Optional.empty() : Optional.of(s.name()),
                        s.trackers().stream().flatMap(List::stream).toList(), List.of(), List.of(), Optional.empty()));
                handle = enqueue(s.infoHash(), position -> new TorrentHandle(this, magnet, options, s, position));
            }
            saver.settingsOnDisk(handle, s);
        }
    }

    /**
     * Adds a torrent at the end of the queue; it is checked, then runs when the queue has room
     * (or stays paused if added paused). Adding the same info-hash twice is refused.
     */
    public TorrentHandle add(Metainfo metainfo, TorrentOptions options) {
        if (closed.get()) throw new IllegalStateException("session closed");
        TorrentSettings recorded = TorrentSettings.of(metainfo.infoHash(), metainfo.info().name(), metainfo.trackers(), options.folder());
        if (state != null) {
            try {
                state.saveTorrentFile(metainfo.infoHash(), metainfo.toTorrentFile()); // before its settings: see StateDirectory
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot keep the torrent in the state directory " + state.root(), e);
            }
        }
        TorrentHandle handle = enqueue(metainfo.infoHash(), position -> new TorrentHandle(this, metainfo, options, recorded, position));
        stateChanged(handle);
        if (started.get()) handle.begin();
        return handle;
    }

    /**
     * Adds a torrent known by its magnet link at the end of the queue. It starts in
     * {@link TorrentState#FETCHING_METADATA}: it announces to the magnet's trackers (each a tier of
     * its own), dials its {@code x.pe} peers and fetches the info dictionary from peers that serve
     * it ({@code ut_metadata}); once that verifies against the info-hash,
     * {@link SessionEvent.MetadataReceived} fires, {@link TorrentHandle#metainfo()} is present, the
     * magnet's {@code so} becomes the file selection (unless {@code options} chose one) and it goes
     * on as any torrent, keeping the connections it has. The state directory keeps it meanwhile (a
     * restart goes on fetching) and keeps its metadata once it arrives. Adding an info-hash twice
     * is refused.
     */
    public TorrentHandle add(MagnetLink magnet, TorrentOptions options) {
        if (closed.get()) throw new IllegalStateException("session closed");
        List<List<String>> tiers = magnet.trackers().stream().map(List::of).toList();
        TorrentSettings recorded = TorrentSettings.of(magnet.infoHash(), magnet.displayName().orElse(""), tiers, options.folder());
        // Before the link is kept: a second add must not overwrite the first one's peers and selection.
        if (byInfoHash.containsKey(magnet.infoHash())) throw new IllegalArgumentException("already in the session: " + magnet.infoHash().hex());
        if (state != null) {
            try {
                state.saveMagnet(magnet.infoHash(), magnet); // before its settings, as a .torrent
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot keep the torrent in the state directory " + state.root(), e);
            }
        }
        TorrentHandle handle = enqueue(magnet.infoHash(), position -> new TorrentHandle(this, magnet, options, recorded, position));
        stateChanged(handle);
        if (started.get()) handle.begin();
        return handle;
    }

    private TorrentHandle enqueue(InfoHash infoHash, java.util.function.IntFunction<TorrentHandle> handleAt) {
        TorrentHandle handle;
        synchronized (queue) {
            handle = handleAt.apply(queue.size());
            if (byInfoHash.putIfAbsent(infoHash, handle) != null) {
                throw new IllegalArgumentException("already in the session: " + infoHash.hex());
            }
            queue.add(handle);
        }
        emit(new SessionEvent.Added(infoHash));
        return handle;
    }

    public Optional<TorrentHandle> torrent(InfoHash infoHash) {
        return Optional.ofNullable(byInfoHash.get(infoHash));
    }

    /** Every torrent, in queue order. */
    public List<TorrentHandle> torrents() {
        return List.copyOf(queue);
    }

    /** Hears every {@link SessionEvent}, in order, on the session's event thread. */
    public void listen(Consumer<SessionEvent> listener) {
        listeners.add(listener);
    }

    public int listenPort() {
        SessionContext c = context;
        return c == null ? 0 : c.listenPort();
    }

    public PeerId peerId() {
        return peerId;
    }

    /** The shared parts handed to runs; null before {@link #start}. For tests in this package. */
    SessionContext context() {
        return context;
    }

    public SessionConfig config() {
        return config;
    }

    /** Open peer connections over all torrents. */
    public int connectionCount() {
        return slots.open();
    }

    // ---- for the handles ----

    DiskResources disk() {
        return disk;
    }

    void check(Runnable task) {
        checker.execute(task);
    }

    void register(InfoHash infoHash, Torrent torrent) {
        running.put(infoHash, torrent);
        byObfuscatedHash.put(ObfuscatedHash.of(infoHash), torrent);
        choker.wake();
    }

    void unregister(InfoHash infoHash, Torrent torrent) {
        running.remove(infoHash, torrent);
        byObfuscatedHash.remove(ObfuscatedHash.of(infoHash), torrent);
    }

    void registerFetching(InfoHash infoHash, MagnetHost host) {
        fetching.put(infoHash, host);
        byObfuscatedHash.put(ObfuscatedHash.of(infoHash), host);
    }

    void unregisterFetching(InfoHash infoHash, MagnetHost host) {
        fetching.remove(infoHash, host);
        byObfuscatedHash.remove(ObfuscatedHash.of(infoHash), host);
    }

    /** A magnet torrent's metadata arrived: the state directory keeps it as a .torrent, so a restart goes on as for any torrent. */
    void metadataArrived(TorrentHandle handle, Metainfo metainfo) {
        if (state == null) return;
        try {
            state.saveTorrentFile(metainfo.infoHash(), metainfo.toTorrentFile());
        } catch (IOException e) {
            log.warn("{}: could not keep its metadata in the state directory (a restart fetches it again): {}", handle, e.toString());
        }
        stateChanged(handle);
    }

    /** A torrent's state changed: the queue looks again now rather than at the next tick. */
    void queueChanged() {
        queueWake.release();
    }

    void forget(TorrentHandle handle) throws IOException {
        synchronized (queue) {
            queue.remove(handle);
            byInfoHash.remove(handle.infoHash(), handle);
            for (int i = 0; i < queue.size(); i++) queue.get(i).queuePosition(i);
        }
        changed.remove(handle);
        if (state != null) {
            saver.forget(handle.infoHash());
            state.remove(handle.infoHash());
        }
        queueChanged();
    }

    /**
     * A check trusted a torrent's resume data as exact (every file unchanged): if that is the state
     * directory's record, the saver need not write it again while it says the same.
     */
    void resumeUnchanged(TorrentHandle handle, java.util.BitSet have) {
        if (saver != null) state.resumeSavedAtCleanClose(handle.infoHash()).ifPresent(clean -> saver.resumeOnDisk(handle, have, clean));
    }

    /** Resume data for a check: from the state directory (or, without one, the download folder). */
    Optional<ResumeData.Loaded> loadResume(InfoHash infoHash, java.nio.file.Path folder, InfoDict info) {
        return state != null ? state.loadResume(infoHash, folder, info) : ResumeData.load(folder, infoHash, info);
    }

    /** A torrent's state changed: the state thread writes its record soon. Never blocks. */
    void stateChanged(TorrentHandle handle) {
        if (state == null) return;
        changed.add(handle);
        stateWake.release();
    }

    /**
     * A run ended and its files are closed. With a state directory the state thread saves it (a
     * change of state follows); without one, resume data goes to the download folder now, as
     * before sessions, so the next start can skip the re-check.
     */
    void runStopped(TorrentHandle handle, java.util.BitSet have) {
        if (state != null || have.isEmpty() || handle.metainfo().isEmpty()) return;
        try {
            ResumeData.save(handle.options().folder(), handle.infoHash(), handle.metainfo().get().info(), have);
        } catch (IOException e) {
            log.warn("{}: could not save resume data (the next start re-checks instead): {}", handle, e.toString());
        }
    }

    /**
     * The state thread: saves torrents whose state changed (as a clean close when they have no run:
     * their files are closed) at once; once a second, tells the saver which active torrents
     * verified pieces and lets it save what is due. The pass over every torrent stays once a
     * second however often it is woken: at the start of 1,000 torrents (3,000 changes of state)
     * a pass per wake-up was most of the seconds of CPU after "seeding".
     */
    private void stateLoop() {
        // Two maps, swapped each pass: what this pass saw replaces the last, removed torrents drop out
        // (a retainAll against the queue, a list, was 1,000 x 1,000 comparisons a second).
        java.util.Map<TorrentHandle, Long> verifiedAtLastLook = new java.util.HashMap<>();
        java.util.Map<TorrentHandle, Long> verifiedNow = new java.util.HashMap<>();
        long lastPass = System.nanoTime() - TICK_MILLIS * 1_000_000L;
        while (!closed.get()) {
            long untilPass = TICK_MILLIS - (System.nanoTime() - lastPass) / 1_000_000L;
            try {
                if (untilPass > 0) stateWake.tryAcquire(untilPass, TimeUnit.MILLISECONDS);
                stateWake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            for (TorrentHandle h : List.copyOf(changed)) {
                changed.remove(h);
                if (closed.get()) return; // close() writes the final records itself
                saveRecord(h);
            }
            long now = System.nanoTime();
            if (now - lastPass < TICK_MILLIS * 1_000_000L) continue; // woken for a change: the pass waits its second
            lastPass = now;
            statePasses.incrementAndGet();
            for (TorrentHandle h : queue) {
                long verified = h.liveTorrent().map(Torrent::verifiedBytes).orElse(-1L);
                Long before = verifiedAtLastLook.get(h);
                verifiedNow.put(h, verified);
                if (verified > 0 && (before == null || before != verified)) saver.dataMoved(h);
            }
            java.util.Map<TorrentHandle, Long> seen = verifiedNow;
            verifiedNow = verifiedAtLastLook;
            verifiedNow.clear();
            verifiedAtLastLook = seen;
            saver.saveDue();
        }
    }

    /** How many passes over every torrent the state thread has made (for tests). */
    long statePasses() {
        return statePasses.get();
    }

    /** How many times the queue loop has sampled every torrent's rates (for tests). */
    long queueSamples() {
        return queueSamples.get();
    }

    private void saveRecord(TorrentHandle h) {
        try {
            if (h.state().isActive()) saver.stateChanged(h);
            else saver.closed(h);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: could not save its state (trying again at its next change): {}", h, e.toString());
        }
    }

    void emit(SessionEvent event) {
        if (!closed.get()) events.add(event);
    }

    // ---- the session's threads ----

    /**
     * Once a second, or when woken: samples every active torrent's rates, then gives the active
     * slots to the first torrents in the queue ({@link QueuePolicy}), stopping those that lost theirs.
     */
    private void queueLoop() {
        try {
            while (!closed.get()) {
                applyQueue();
                queueWake.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS);
                queueWake.drainPermits();
            }
        } catch (InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("the session's queue loop failed", e);
        }
    }

    private void applyQueue() {
        context.uploadShares().rebalance();
        context.downloadShares().rebalance();
        long now = System.nanoTime();
        // Rates are sampled once a second, not at each wake-up (the start of 1,000 torrents wakes the
        // loop hundreds of times, and each sample visits every connection of a torrent).
        boolean sample = now - lastQueueSample >= TICK_MILLIS * 1_000_000L;
        if (sample) {
            lastQueueSample = now;
            queueSamples.incrementAndGet();
        }
        List<QueuePolicy.Entry<TorrentHandle>> runnable = new ArrayList<>();
        for (TorrentHandle h : queue) {
            boolean idle = sample ? h.sample(now, config.inactiveRate(), config.inactiveAfter())
                    : h.idleFor(now, config.inactiveAfter());
            if (h.isRunnable()) runnable.add(new QueuePolicy.Entry<>(h, h.isComplete(), h.state().isActive(), idle));
        }
        Set<TorrentHandle> active = QueuePolicy.chooseActive(runnable, config.activeDownloads(), config.activeSeeds());
        for (QueuePolicy.Entry<TorrentHandle> e : runnable) {
            if (closed.get()) return;
            if (e.active() && !active.contains(e.torrent())) e.torrent().deactivate();
        }
        for (TorrentHandle h : active) {
            if (closed.get()) return;
            if (h.state() == TorrentState.QUEUED) h.activate(context);
        }
    }

    private void dispatchEvents() {
        try {
            while (!closed.get()) {
                SessionEvent e = events.take();
                for (Consumer<SessionEvent> l : listeners) {
                    try {
                        l.accept(e);
                    } catch (RuntimeException failure) {
                        log.warn("a session listener failed on {}: {}", e, failure.toString());
                    }
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /**
     * Accepts until closed. A free handshake slot is taken before each accept, so a flood waits in
     * the kernel's backlog, costing neither a thread nor a descriptor here. A failed accept (out of
     * file descriptors, say) is logged and retried after a short back-off, doubling while it lasts:
     * the listener stops only when the session closes.
     */
    private void acceptLoop() {
        long backoff = ACCEPT_BACKOFF_FIRST_MILLIS;
        while (!closed.get()) {
            SocketChannel socket;
            try {
                handshaking.acquire();
            } catch (InterruptedException e) {
                return; // closing
            }
            try {
                socket = listener.accept();
                backoff = ACCEPT_BACKOFF_FIRST_MILLIS;
            } catch (IOException | RuntimeException e) {
                handshaking.release();
                if (closed.get() || !listener.isOpen()) return;
                log.warn("accepting failed, again in {} ms: {}", backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException closing) {
                    return;
                }
                backoff = Math.min(ACCEPT_BACKOFF_MAX_MILLIS, 2 * backoff);
                continue;
            }
            Thread.ofVirtual().name("accept " + socket.socket().getRemoteSocketAddress()).start(() -> handshake(socket));
        }
    }

    /** Reads the handshake and hands the connection to the torrent it names (which may still refuse it). */
    private void handshake(SocketChannel socket) {
        try {
            if (!slots.roomForIncoming()) throw new IOException("too many connections");
            Swarm[] routed = new Swarm[1];
            PeerConnection connection = PeerConnection.accept(socket, new PeerRouter() {
                @Override
                public PeerHost byInfoHash(InfoHash infoHash) {
                    Swarm t = running.get(infoHash);
                    if (t == null) t = fetching.get(infoHash); // a magnet torrent still fetching its metadata
                    return routed[0] = t;
                }

                @Override
                public PeerHost byObfuscatedHash(ObfuscatedHash hash) {
                    return routed[0] = byObfuscatedHash.get(hash);
                }
            }, config.peer());
            // The torrent the handshake was answered for (not a lookup again: it may have been
            // paused and resumed since). It refuses a banned address, whatever port it comes from now.
            routed[0].add(connection);
        } catch (IOException e) {
            closeQuietly(socket);
            log.info("incoming {} refused: {}", socket.socket().getRemoteSocketAddress(), e.toString());
        } finally {
            handshaking.release();
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: we are dropping it
        }
    }

    /** Stops every torrent (saving its resume data, telling its trackers), then the session's threads. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) return;
        choker.close();
        ServerSocketChannel l = listener;
        if (l != null) l.close();
        // The acceptor may be waiting for a handshake slot. Not the state thread: an interrupt landing
        // in its fsync would close the channel under it; it sees "closed" within a tick.
        for (Thread t : threads) if (t.isVirtual()) t.interrupt();
        stateWake.release();
        checker.shutdownNow();
        List<Thread> closing = new ArrayList<>();
        for (TorrentHandle h : queue) closing.add(Thread.ofVirtual().name("close " + h.infoHash()).start(h::close));
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (state != null) {
            for (Thread t : threads) {
                if (!t.isVirtual()) joinQuietly(t); // the state thread: its save in flight ends first
            }
            for (TorrentHandle h : queue) saveRecord(h); // every run is stopped: clean closes
        }
        DhtNode node = dht;
        if (node != null) {
            node.close();
            if (state != null) {
                try {
                    state.saveDhtState(node.isIpv6(), node.saveState());
                } catch (IOException e) {
                    log.warn("DHT state not saved: {}", e.getMessage());
                }
            }
        }
        disk.close();
    }

    /** The session's DHT node, if it has one (started with the session). */
    public java.util.Optional<DhtNode> dht() {
        return java.util.Optional.ofNullable(dht);
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
