package org.jtorrent.metadata;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jtorrent.id.InfoHash;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerExtension;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.MetadataMessage;
import org.jtorrent.wire.ProtocolException;

/**
 * The {@code ut_metadata} extension (BEP 9) of one torrent, both ways, under our local id
 * {@link #LOCAL_ID} (libtorrent's number).
 *
 * <p>Serving: with the info dictionary known, a request gets the block as a data message; a
 * block out of range, or any request while we are still fetching, gets a reject. A flood is capped:
 * each connection gets at most {@link #SERVED_PER_SECOND} blocks a second, and requests past that
 * are rejected (a 30 MiB dictionary still leaves in about a minute from one peer, faster from
 * several); a peer that never reads what we send is dropped by its outbox bound as for any message.
 * A private torrent (BEP 27) does not offer this extension at all ({@code Torrent.extensions()}), as
 * libtorrent 2.0.8 does not.
 *
 * <p>Fetching: a {@link MetadataFetch} decides whom to ask for what; this class feeds it what the
 * peers say, sends its requests and runs {@link #tick} for timeouts. When the dictionary verifies,
 * the exchange serves it from then on and hands it to {@code verified}, once. A message that does
 * not decode (oversized, malformed) closes the connection ({@link ProtocolException}), which drops
 * the peer as a source.
 *
 * <p>Threads: callbacks come from connection readers holding their connection's state lock; the
 * fetch is guarded by a lock of its own, held only for its (pure, quick) bookkeeping. Requests go
 * out after it is released, and a connection whose outbox refuses one is closed on a thread of its
 * own: closing takes its state lock, which its reader may hold while it waits for ours.
 * {@code verified} runs on whichever thread completed the dictionary, holding that connection's
 * lock: it must hand the work on, not do it.
 */
public final class MetadataExchange implements PeerExtension {
    /** Our id for {@code ut_metadata}, libtorrent's. */
    public static final int LOCAL_ID = 2;
    /** Blocks served per connection per second at most; further requests are rejected. */
    public static final int SERVED_PER_SECOND = 32;
    /** How long a request of ours may go unanswered before it is asked of another peer. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private volatile byte[] metadata; // null while fetching
    private final ReentrantLock lock = new ReentrantLock();
    private MetadataFetch<PeerConnection> fetch; // guarded by lock; null once done (or when only serving)
    private final Consumer<byte[]> verified;
    private final Map<PeerConnection, long[]> served = new ConcurrentHashMap<>(); // {second, count}
    /** The latest sources dropped, "address: why", at most {@link #DROPS_KEPT}. */
    private final java.util.Deque<String> drops = new java.util.concurrent.ConcurrentLinkedDeque<>();
    static final int DROPS_KEPT = 100;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetadataExchange.class);

    private MetadataExchange(byte[] metadata, InfoHash infoHash, long cap, Duration timeout, Consumer<byte[]> verified) {
        this.metadata = metadata;
        this.fetch = metadata != null ? null : new MetadataFetch<>(infoHash, cap, timeout, this::dropped);
        this.verified = verified;
    }

    private void dropped(PeerConnection peer, String why) {
        log.info("{}: no longer asked for metadata: {}", peer.address(), why);
        drops.addLast(peer.address() + ": " + why);
        while (drops.size() > DROPS_KEPT) drops.pollFirst();
    }

    /** The latest peers dropped as metadata sources, as "address: why" (at most {@link #DROPS_KEPT}). */
    public List<String> droppedSources() {
        return List.copyOf(drops);
    }

    /** Serves {@code infoBytes}, the torrent's info dictionary as it hashes to its info-hash. */
    public static MetadataExchange serving(byte[] infoBytes) {
        return new MetadataExchange(infoBytes, null, 0, Duration.ZERO, m -> { });
    }

    /** Fetches the dictionary of {@code infoHash} (at most {@code cap} bytes), then serves it. */
    public static MetadataExchange fetching(InfoHash infoHash, long cap, Duration timeout, Consumer<byte[]> verified) {
        return new MetadataExchange(null, infoHash, cap, timeout, verified);
    }

    @Override
    public String name() {
        return MetadataMessage.NAME;
    }

    @Override
    public int localId() {
        return LOCAL_ID;
    }

    /** The size to advertise as {@code metadata_size}: 0 while fetching. */
    public long metadataSize() {
        byte[] m = metadata;
        return m == null ? 0 : m.length;
    }

    /** The dictionary, once known (served, or fetched and verified). */
    public Optional<byte[]> metadata() {
        return Optional.ofNullable(metadata);
    }

    @Override
    public void handshake(PeerConnection from, ExtensionHandshake theirs) {
        if (!from.peerSupports(MetadataMessage.NAME)) return;
        lock.lock();
        try {
            if (fetch == null) return;
            fetch.joined(from, theirs.metadataSize());
        } finally {
            lock.unlock();
        }
        pump();
    }

    @Override
    public void received(PeerConnection from, byte[] payload) throws IOException {
        Optional<MetadataMessage> decoded = MetadataMessage.decode(payload);
        if (decoded.isEmpty()) return; // a type we do not know: ignored, as BEP 9 says
        switch (decoded.get()) {
            case MetadataMessage.Request r -> serve(from, r.piece());
            case MetadataMessage.Data d -> {
                if (!feed(f -> f.received(from, d.piece(), d.totalSize(), d.data()))) return;
                pump();
            }
            case MetadataMessage.Reject r -> {
                if (!feed(f -> f.rejected(from, r.piece()))) return;
                pump();
            }
        }
    }

    @Override
    public void closed(PeerConnection connection) {
        served.remove(connection);
        if (feed(f -> f.left(connection))) pump();
    }

    /** Once a second or so, from the engine: requests past their timeout go to other peers. */
    public void tick(long now) {
        if (feed(f -> f.expire(now))) pump();
    }

    /** Why {@code peer} is no longer asked for metadata, if it was dropped as a source. */
    public Optional<String> droppedWhy(PeerConnection peer) {
        lock.lock();
        try {
            return fetch == null ? Optional.empty() : fetch.droppedWhy(peer);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a fetch is on and no peer is left to ask: the owner should look for more peers. */
    public boolean starved() {
        lock.lock();
        try {
            return fetch != null && fetch.sourceCount() == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes held for the metadata being fetched (one buffer of the size chosen); 0 when not fetching. */
    public long fetchBufferBytes() {
        lock.lock();
        try {
            return fetch == null ? 0 : fetch.bufferBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Applies {@code step} to the fetch under the lock; false if there is none (serving only, or done). */
    private boolean feed(Consumer<MetadataFetch<PeerConnection>> step) {
        lock.lock();
        try {
            if (fetch == null) return false;
            step.accept(fetch);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Sends what the fetch wants asked now; hands the dictionary on once it verified. */
    private void pump() {
        List<MetadataFetch.Ask<PeerConnection>> asks;
        byte[] done;
        lock.lock();
        try {
            if (fetch == null) return;
            done = fetch.result().orElse(null);
            if (done != null) {
                fetch = null;
                metadata = done;
                asks = List.of();
            } else {
                asks = fetch.asks(System.nanoTime());
            }
        } finally {
            lock.unlock();
        }
        if (done != null) {
            verified.accept(done);
            return;
        }
        for (MetadataFetch.Ask<PeerConnection> ask : asks) {
            PeerConnection peer = ask.peer();
            try {
                peer.sendExtended(MetadataMessage.NAME, new MetadataMessage.Request(ask.piece()).encode());
            } catch (IOException e) { // it stopped reading: closing it takes its lock, so elsewhere
                Thread.ofVirtual().name("metadata-close").start(() -> peer.close(e));
            }
        }
    }

    private void serve(PeerConnection to, int piece) throws IOException {
        byte[] m = metadata;
        MetadataMessage answer;
        if (m == null || piece >= MetadataMessage.blockCount(m.length) || !withinRate(to)) {
            answer = new MetadataMessage.Reject(piece);
        } else {
            int from = piece * MetadataMessage.BLOCK;
            answer = new MetadataMessage.Data(piece, m.length, Arrays.copyOfRange(m, from, Math.min(m.length, from + MetadataMessage.BLOCK)));
        }
        to.sendExtended(MetadataMessage.NAME, answer.encode());
    }

    /** Counts a block served to {@code to}; false once it had {@link #SERVED_PER_SECOND} this second. */
    private boolean withinRate(PeerConnection to) {
        long second = System.nanoTime() / 1_000_000_000L;
        long[] window = served.computeIfAbsent(to, c -> new long[] {second, 0});
        if (window[0] != second) {
            window[0] = second;
            window[1] = 0;
        }
        return ++window[1] <= SERVED_PER_SECOND;
    }
}
