package org.jtorrent.metadata;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jtorrent.id.InfoHash;
import org.jtorrent.wire.MetadataMessage;

/**
 * Assembles a torrent's info dictionary from {@code ut_metadata} blocks (BEP 9), typed by whatever
 * stands for a peer ({@code P}). Pure and single-threaded: the owner feeds it what peers say and
 * sends the requests {@link #asks} returns; it does no I/O and keeps no clock of its own.
 *
 * <p>The size: each source's {@code metadata_size}; the size most sources agree on is fetched (a
 * source that did not say is asked for block 0, and its {@code total_size} is its word). A size
 * above the cap drops the source at once; a data message whose {@code total_size} differs from the
 * size being fetched, or from the source's own word, drops it too. Only sources of the chosen size
 * are asked: {@link #IN_FLIGHT_PER_SOURCE} blocks each, several sources at once, each request
 * re-asked elsewhere once rejected, timed out or its source gone; a block nobody asked of its
 * sender (or that came after its timeout) is ignored. A source that rejects or ignores
 * {@link #MAX_MISSES} requests in a row, or sends a block of the wrong length, is dropped.
 *
 * <p>Liars: every block is attributed to the source that sent it. When the whole dictionary fails
 * the SHA-1 check against the info-hash, a failing set from one source drops that source; a set
 * from several starts narrowing down: from then on one source at a time supplies a whole set
 * ({@link #SOLO_IN_FLIGHT} in flight), so the next failure names its liar. Either way the fetch
 * starts over without it.
 *
 * <p>Memory: one buffer of the chosen size (at most the cap), reused across attempts however many
 * sources lie; per source a few requests.
 */
public final class MetadataFetch<P> {
    /** Requests in flight per source: a couple, as libtorrent keeps. */
    public static final int IN_FLIGHT_PER_SOURCE = 2;
    /** While narrowing down a liar one source works alone: a few more in flight. */
    public static final int SOLO_IN_FLIGHT = 4;
    /** Rejects or timeouts in a row (no block between them) that drop a source. */
    public static final int MAX_MISSES = 3;

    /** A request to send: block {@code piece} of the metadata, to {@code peer}. */
    public record Ask<P>(P peer, int piece) {
    }

    private static final class Source<P> {
        final P peer;
        /** What it says the metadata's size is; 0 while it has not said. */
        long size;
        /** Blocks asked of it, with the time each expires. */
        final Map<Integer, Long> asked = new HashMap<>();
        int misses;
        boolean soloTried;

        Source(P peer, long size) {
            this.peer = peer;
            this.size = size;
        }
    }

    private final InfoHash infoHash;
    private final long cap;
    private final long timeoutNanos;
    private final Map<P, Source<P>> sources = new LinkedHashMap<>();
    /** Sources dropped, with why; forgotten when the peer leaves (bounded by the connections). */
    private final Map<P, String> dropped = new HashMap<>();
    private final java.util.function.BiConsumer<P, String> onDrop;

    private long size; // the size being fetched; 0: none chosen yet
    private byte[] buffer;
    private Object[] supplier; // per block: the source that sent it, null while missing
    private int missing;
    private boolean narrowing;
    private P solo;
    private byte[] result;

    /**
     * @param cap     the largest metadata fetched ({@link MetadataMessage#MAX_SIZE} in the engine)
     * @param timeout how long a request may go unanswered before it is asked elsewhere
     */
    public MetadataFetch(InfoHash infoHash, long cap, java.time.Duration timeout) {
        this(infoHash, cap, timeout, (peer, why) -> { });
    }

    /** @param onDrop hears each source dropped, with why (for the log), as it happens */
    public MetadataFetch(InfoHash infoHash, long cap, java.time.Duration timeout, java.util.function.BiConsumer<P, String> onDrop) {
        if (cap <= 0) throw new IllegalArgumentException("cap must be positive");
        this.onDrop = onDrop;
        this.infoHash = infoHash;
        this.cap = cap;
        this.timeoutNanos = timeout.toNanos();
    }

    /** A peer that speaks {@code ut_metadata}; {@code metadataSize} is its {@code metadata_size}, 0 if it did not say. */
    public void joined(P peer, long metadataSize) {
        if (result != null || dropped.containsKey(peer)) return;
        if (metadataSize > cap) {
            drop(peer, "metadata_size " + metadataSize + " over the cap of " + cap);
            return;
        }
        Source<P> known = sources.get(peer);
        if (known != null) { // a later handshake: it may have learnt the size since
            if (known.size == 0 && metadataSize > 0) known.size = metadataSize;
            else if (metadataSize > 0 && metadataSize != known.size) drop(peer, "metadata_size changed from " + known.size + " to " + metadataSize);
        } else {
            sources.put(peer, new Source<>(peer, Math.max(0, metadataSize)));
        }
        chooseSize();
    }

    /** The peer's connection closed: what it was asked goes to others. */
    public void left(P peer) {
        dropped.remove(peer);
        if (sources.remove(peer) != null) {
            if (peer.equals(solo)) solo = null;
            chooseSize();
        }
    }

    /** A data message from {@code peer}. */
    public void received(P peer, int piece, long totalSize, byte[] data) {
        Source<P> s = sources.get(peer);
        if (s == null || result != null) return; // dropped, unknown, or done: ignored
        // Only what was asked of it (and not yet timed out): a liar's unasked blocks would mix into
        // the set of the one source that is narrowing a failure down, and keep it from ever ending.
        if (s.asked.remove(piece) == null) return;
        if (totalSize > cap) {
            drop(peer, "total_size " + totalSize + " over the cap of " + cap);
            return;
        }
        if (s.size == 0) { // it had not said: its total_size is its word
            s.size = totalSize;
            chooseSize();
        }
        if (totalSize != s.size) {
            drop(peer, "total_size " + totalSize + " but metadata_size " + s.size);
            return;
        }
        if (totalSize != size) {
            drop(peer, "total_size " + totalSize + " disagrees with the others' " + size);
            return;
        }
        long expected = Math.min(MetadataMessage.BLOCK, size - (long) piece * MetadataMessage.BLOCK);
        if (data.length != expected) {
            drop(peer, "block " + piece + " of " + data.length + " bytes, expected " + expected);
            return;
        }
        s.misses = 0;
        if (supplier[piece] != null) return; // a copy of a block we have
        System.arraycopy(data, 0, buffer, piece * MetadataMessage.BLOCK, data.length);
        supplier[piece] = peer;
        if (--missing == 0) verify();
    }

    /** The peer will not send this block. */
    public void rejected(P peer, int piece) {
        Source<P> s = sources.get(peer);
        if (s != null && s.asked.remove(piece) != null) missed(s);
    }

    /** Requests unanswered past the timeout count as misses and are asked elsewhere. */
    public void expire(long now) {
        for (Source<P> s : List.copyOf(sources.values())) {
            for (Iterator<Map.Entry<Integer, Long>> it = s.asked.entrySet().iterator(); it.hasNext(); ) {
                if (now - it.next().getValue() < 0) continue;
                it.remove();
                missed(s);
                if (!sources.containsKey(s.peer)) break;
            }
        }
    }

    /** The requests to send now; each counts as in flight until answered or expired. */
    public List<Ask<P>> asks(long now) {
        List<Ask<P>> asks = new ArrayList<>();
        if (result != null) return asks;
        if (size == 0) { // nobody said a size: ask one silent source for block 0, whose answer says it
            for (Source<P> s : sources.values()) if (!s.asked.isEmpty()) return asks;
            for (Source<P> s : sources.values()) {
                if (s.size == 0) {
                    s.asked.put(0, now + timeoutNanos);
                    asks.add(new Ask<>(s.peer, 0));
                    break;
                }
            }
            return asks;
        }
        List<Source<P>> eligible = new ArrayList<>();
        for (Source<P> s : sources.values()) if (s.size == size) eligible.add(s);
        if (eligible.isEmpty()) return asks;
        eligible.sort(java.util.Comparator.comparingInt(s -> s.misses)); // those that answer first; stable, so in order of arrival
        int inFlight = IN_FLIGHT_PER_SOURCE;
        if (narrowing) {
            if (solo == null) solo = nextSolo(eligible);
            eligible = List.of(sources.get(solo));
            inFlight = SOLO_IN_FLIGHT;
        }
        Set<Integer> inFlightAnywhere = new HashSet<>();
        for (Source<P> s : sources.values()) inFlightAnywhere.addAll(s.asked.keySet());
        int next = 0;
        int blocks = supplier.length;
        for (Source<P> s : eligible) { // each up to its in-flight cap: the cap spreads the work over the sources
            while (s.asked.size() < inFlight) {
                while (next < blocks && (supplier[next] != null || inFlightAnywhere.contains(next))) next++;
                if (next >= blocks) return asks;
                s.asked.put(next, now + timeoutNanos);
                asks.add(new Ask<>(s.peer, next));
                next++;
            }
        }
        return asks;
    }

    /** The verified info dictionary, once assembled. */
    public Optional<byte[]> result() {
        return Optional.ofNullable(result);
    }

    /** Why {@code peer} was dropped as a source; empty if it was not (or has left). */
    public Optional<String> droppedWhy(P peer) {
        return Optional.ofNullable(dropped.get(peer));
    }

    /** The peers dropped as sources that are still connected. */
    public Set<P> droppedPeers() {
        return Collections.unmodifiableSet(dropped.keySet());
    }

    /** The size being fetched (0: none known yet). */
    public long size() {
        return size;
    }

    /** Bytes this fetch holds for the metadata: one buffer of the chosen size, however many sources lie. */
    public long bufferBytes() {
        return buffer == null ? 0 : buffer.length;
    }

    /** Peers that may still be asked (dropped ones and those that left are not). */
    public int sourceCount() {
        return sources.size();
    }

    /** Requests in flight over all sources. */
    public int inFlight() {
        int n = 0;
        for (Source<P> s : sources.values()) n += s.asked.size();
        return n;
    }

    private void missed(Source<P> s) {
        if (s.peer.equals(solo)) { // it let the set down: the next one tries, it may again later
            s.soloTried = true;
            solo = null;
        }
        if (++s.misses >= MAX_MISSES) drop(s.peer, MAX_MISSES + " requests in a row rejected or unanswered");
    }

    private void drop(P peer, String why) {
        dropped.put(peer, why);
        onDrop.accept(peer, why);
        if (sources.remove(peer) != null) {
            if (peer.equals(solo)) solo = null;
            chooseSize();
        }
    }

    /** The size most sources say (ties: the one being fetched, else the first said); a new size starts over. */
    private void chooseSize() {
        Map<Long, Integer> votes = new LinkedHashMap<>();
        for (Source<P> s : sources.values()) if (s.size > 0) votes.merge(s.size, 1, Integer::sum);
        long best = 0;
        int bestVotes = 0;
        for (Map.Entry<Long, Integer> v : votes.entrySet()) {
            int n = v.getValue();
            if (n > bestVotes || (n == bestVotes && v.getKey() == size)) {
                best = v.getKey();
                bestVotes = n;
            }
        }
        if (best == 0 || best == size) return;
        size = best;
        buffer = null; // the old one goes before the new one is made
        buffer = new byte[(int) size];
        supplier = new Object[MetadataMessage.blockCount(size)];
        missing = supplier.length;
        narrowing = false;
        solo = null;
        for (Source<P> s : sources.values()) {
            s.asked.clear();
            s.soloTried = false;
        }
    }

    private P nextSolo(List<Source<P>> eligible) {
        for (Source<P> s : eligible) if (!s.soloTried) return s.peer;
        for (Source<P> s : eligible) s.soloTried = false; // each let a set down once: round again
        return eligible.get(0).peer;
    }

    @SuppressWarnings("unchecked")
    private void verify() {
        if (Arrays.equals(sha1(buffer), infoHash.bytes())) {
            result = buffer;
            buffer = null;
            for (Source<P> s : sources.values()) s.asked.clear();
            return;
        }
        Set<P> suppliers = new HashSet<>();
        for (Object o : supplier) suppliers.add((P) o);
        Arrays.fill(supplier, null);
        missing = supplier.length;
        if (suppliers.size() == 1) {
            drop(suppliers.iterator().next(), "sent metadata that failed the hash check");
        } else {
            narrowing = true; // from now on one source supplies a whole set: the next failure names its liar
            solo = null;
        }
    }

    private static byte[] sha1(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
