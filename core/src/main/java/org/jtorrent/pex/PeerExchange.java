package org.jtorrent.pex;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.peer.PeerExtension;
import org.jtorrent.wire.ExtensionHandshake;

/**
 * Peer exchange ({@code ut_pex}, BEP 11) for one torrent, both ways. A torrent offers it to its
 * connections unless it is private (BEP 27).
 *
 * <p><b>Sending</b>, from the engine's periodic task ({@link #tick}), never from a reader thread: to
 * each peer that speaks it, at most one message per {@link #interval()} (one minute), the first at
 * the first tick after its extension handshake that has someone to name (libtorrent sends its first
 * at its first one-second tick), the next ones when a minute has passed since the last look. A message lists only peers we are
 * connected to, by their listen address (a connection we dialled: the address we dialled; an
 * incoming one: its IP with the {@code p} of its extension handshake, and without {@code p} it is
 * not listed), never the receiver itself: those added since the last message to that peer and those
 * gone since, at most {@link #MAX_ADDED} and {@link #MAX_DROPPED} (BEP 11's 50), the rest in the next
 * message. Nothing changed, nothing is sent. Flags: seed if the peer has every piece, encryption if
 * the connection is encrypted (MSE with RC4, as libtorrent sets it for an encrypted connection), and
 * whatever {@link #extraFlags} adds.
 *
 * <p><b>Receiving</b>, on the connection's reader thread: at most {@link #MAX_MESSAGES_PER_WINDOW}
 * messages per peer in any {@link #FLOOD_WINDOW} (libtorrent's six a minute) are read; later ones are
 * ignored, not decoded (libtorrent disconnects such a peer instead; ignoring keeps a flooder that also
 * serves data useful and costs only the read). At most {@link #MAX_ENTRIES} contacts of each list of
 * a message are decoded, and at most {@link #MAX_LEARNT_PER_PEER} contacts learnt from one peer are
 * held at a time (libtorrent's {@code max_pex_peers}): a peer cannot fill the candidate list alone.
 * Contacts at a loopback, link-local or private address are taken only from a peer at such an
 * address (libtorrent's rule: a stranger must not steer us into our own network). A peer's
 * {@code dropped} retracts only what it told us. What is learnt goes to the {@link Sink}.
 */
public final class PeerExchange implements PeerExtension {
    /** BEP 11: at most one message a minute to each peer. */
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    /** BEP 11: at most 50 added and 50 dropped contacts per message. */
    public static final int MAX_ADDED = 50, MAX_DROPPED = 50;
    /** Messages a peer may send within {@link #FLOOD_WINDOW}; libtorrent disconnects at the next. */
    public static final int MAX_MESSAGES_PER_WINDOW = 6;
    public static final Duration FLOOD_WINDOW = Duration.ofMinutes(1);
    /** Contacts of each list decoded per message; libtorrent itself sends at most 100 added. */
    public static final int MAX_ENTRIES = 100;
    /** Contacts learnt from one peer held at once: libtorrent's {@code max_pex_peers}. */
    public static final int MAX_LEARNT_PER_PEER = 200;

    /** Where learnt contacts go: the torrent's candidate list. Called on reader threads: must not block. */
    public interface Sink {
        void added(PeerConnection from, List<PexPeer> peers);

        void dropped(PeerConnection from, List<InetSocketAddress> peers);
    }

    private final Sink sink;
    private final long intervalNanos;
    private final LongSupplier clock;
    private volatile ToIntFunction<PeerConnection> extraFlags = c -> 0;
    private final Map<PeerConnection, PeerState> peers = new ConcurrentHashMap<>();
    private final AtomicLong messagesReceived = new AtomicLong(), messagesIgnored = new AtomicLong(), messagesSent = new AtomicLong();

    /** What we know of one connection. */
    private static final class PeerState {
        /** The {@code p} of its extension handshake, 0 if none. */
        volatile int listenPort;
        // Receiving: the connection's reader only (under its lock).
        final long[] recent = new long[MAX_MESSAGES_PER_WINDOW]; // arrival times, a ring
        int recentNext;
        int recentCount;
        final Set<InetSocketAddress> learnt = new HashSet<>();
        // Sending: under the exchange's tick lock.
        final Set<InetSocketAddress> told = new HashSet<>();
        boolean sentOnce;
        /** When to look again, once the first message went: a minute after the last look. */
        long nextLook;
    }

    public PeerExchange(Sink sink) {
        this(sink, INTERVAL, System::nanoTime);
    }

    /** With another interval and clock: for tests, which cannot wait a minute per message. */
    public PeerExchange(Sink sink, Duration interval, LongSupplier clock) {
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    /**
     * Flags to add to a listed connection's, beside the seed and encryption flags we know (uTP and
     * holepunch, once we speak them). Must not block.
     */
    public void extraFlags(ToIntFunction<PeerConnection> flags) {
        this.extraFlags = flags;
    }

    @Override
    public String name() {
        return PexMessage.NAME;
    }

    @Override
    public int localId() {
        return PexMessage.LOCAL_ID;
    }

    @Override
    public void handshake(PeerConnection from, ExtensionHandshake theirs) {
        state(from).listenPort = theirs.listenPort();
    }

    @Override
    public void received(PeerConnection from, byte[] payload) throws IOException {
        PeerState s = state(from);
        long now = clock.getAsLong();
        // The oldest of the last six arrivals is within the window: a seventh now would be a flood.
        if (s.recentCount == MAX_MESSAGES_PER_WINDOW && now - s.recent[s.recentNext] < FLOOD_WINDOW.toNanos()) {
            messagesIgnored.incrementAndGet();
            return;
        }
        s.recent[s.recentNext] = now;
        s.recentNext = (s.recentNext + 1) % MAX_MESSAGES_PER_WINDOW;
        s.recentCount = Math.min(MAX_MESSAGES_PER_WINDOW, s.recentCount + 1);
        PexMessage message = PexMessage.decode(payload, MAX_ENTRIES); // malformed: closes the connection

        List<InetSocketAddress> retracted = new ArrayList<>();
        for (InetSocketAddress a : message.dropped()) if (s.learnt.remove(a)) retracted.add(a);
        boolean senderLocal = isLocal(host(from.address()));
        List<PexPeer> fresh = new ArrayList<>();
        for (PexPeer p : message.added()) {
            if (s.learnt.size() >= MAX_LEARNT_PER_PEER) break;
            if (isLocal(p.address().getAddress()) && !senderLocal) continue;
            if (s.learnt.add(p.address())) fresh.add(p);
        }
        if (!retracted.isEmpty()) sink.dropped(from, retracted);
        if (!fresh.isEmpty()) sink.added(from, fresh);
        messagesReceived.incrementAndGet(); // last: a caller that sees the count sees what the message did
    }

    @Override
    public void closed(PeerConnection connection) {
        peers.remove(connection);
    }

    private PeerState state(PeerConnection c) {
        return peers.computeIfAbsent(c, k -> new PeerState());
    }

    /**
     * Sends each peer that speaks {@code ut_pex} and is due (its interval passed, or never sent to)
     * what changed since its last message. {@code connections} are the torrent's open connections.
     * Posts to outboxes only: never blocks. A peer that has stopped reading is closed.
     */
    public synchronized void tick(Collection<PeerConnection> connections) {
        long now = clock.getAsLong();
        List<PeerConnection> due = new ArrayList<>();
        for (PeerConnection receiver : connections) {
            PeerState s = peers.get(receiver);
            if (s == null || receiver.isClosed() || !receiver.peerSupports(PexMessage.NAME)) continue;
            if (!s.sentOnce || now - s.nextLook >= 0) due.add(receiver);
        }
        if (due.isEmpty()) return; // the usual second: nobody to tell, nothing built
        Map<PeerConnection, PexPeer> listed = new LinkedHashMap<>();
        for (PeerConnection c : connections) {
            if (c.isClosed()) continue;
            InetSocketAddress listen = listenAddress(c);
            if (listen == null) continue;
            int flags = (c.peerHasAll() ? PexPeer.SEED : 0) | (c.encrypted() ? PexPeer.PREFERS_ENCRYPTION : 0)
                    | (extraFlags.applyAsInt(c) & 0xff);
            listed.put(c, new PexPeer(listen, flags));
        }
        for (PeerConnection receiver : due) send(receiver, peers.get(receiver), listed, now);
    }

    /**
     * Tells one due peer what changed since its last message, if anything did. Until a first message
     * has gone, the peer is looked at every tick (its first message goes as soon as there is someone
     * to name); after that once a minute, as libtorrent does: a change waits for the next look.
     */
    private void send(PeerConnection receiver, PeerState s, Map<PeerConnection, PexPeer> listed, long now) {
        PexPeer self = listed.get(receiver);
        Map<InetSocketAddress, PexPeer> current = new LinkedHashMap<>();
        for (Map.Entry<PeerConnection, PexPeer> e : listed.entrySet()) {
            if (e.getKey() == receiver || (self != null && e.getValue().address().equals(self.address()))) continue;
            current.putIfAbsent(e.getValue().address(), e.getValue());
        }
        List<PexPeer> added = new ArrayList<>();
        for (PexPeer p : current.values()) {
            if (added.size() >= MAX_ADDED) break;
            if (!s.told.contains(p.address())) added.add(p);
        }
        List<InetSocketAddress> dropped = new ArrayList<>();
        for (InetSocketAddress a : s.told) {
            if (dropped.size() >= MAX_DROPPED) break;
            if (!current.containsKey(a)) dropped.add(a);
        }
        if (s.sentOnce) s.nextLook = now + intervalNanos;
        if (added.isEmpty() && dropped.isEmpty()) return;
        try {
            if (!receiver.sendExtended(PexMessage.NAME, new PexMessage(added, dropped).encode())) return;
        } catch (IOException e) { // it stopped reading: the outbox is full
            receiver.close(e);
            return;
        }
        for (PexPeer p : added) s.told.add(p.address());
        dropped.forEach(s.told::remove);
        s.sentOnce = true;
        s.nextLook = now + intervalNanos;
        messagesSent.incrementAndGet();
    }

    /**
     * Where the peer behind a connection accepts connections (the address we dialled, or its IP
     * with the {@code p} it sent), or null if we do not know.
     */
    public InetSocketAddress listenAddress(PeerConnection c) {
        if (!(c.address() instanceof InetSocketAddress remote) || remote.isUnresolved()) return null;
        if (c.isOutgoing()) return remote;
        PeerState s = peers.get(c);
        int port = s == null ? 0 : s.listenPort;
        return port > 0 ? new InetSocketAddress(remote.getAddress(), port) : null;
    }

    /** Messages read, ignored as a flood, and sent, since the start. */
    public long messagesReceived() {
        return messagesReceived.get();
    }

    public long messagesIgnored() {
        return messagesIgnored.get();
    }

    public long messagesSent() {
        return messagesSent.get();
    }

    private static InetAddress host(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    /** Loopback, link-local, private (RFC 1918, fc00::/7) or unspecified. */
    static boolean isLocal(InetAddress a) {
        if (a == null) return false;
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()) return true;
        byte[] raw = a.getAddress();
        return raw.length == 16 && (raw[0] & 0xfe) == 0xfc; // unique local IPv6, which isSiteLocal does not cover
    }
}
