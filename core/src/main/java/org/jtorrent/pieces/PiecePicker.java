package org.jtorrent.pieces;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.wire.BlockRef;

/**
 * Which blocks to request next, and from whom. Invariant: every block of a missing piece is
 * <em>wanted</em> (no owner, not received), <em>in flight</em> with one owner (two in end game, never
 * more), or <em>received</em>; a piece is <em>had</em> once verified, and a had piece never takes a
 * block again. Owners are opaque tokens (the engine passes its connections).
 *
 * <p>Order, as libtorrent's picker:
 * <ol>
 *   <li>pieces already started come first, oldest first: a partial piece is memory held and data
 *       not yet shareable;</li>
 *   <li>while we have fewer than {@link #RANDOM_FIRST} pieces, a random one: a newcomer needs
 *       something to trade soon, and the rarest piece is often the slowest to get;</li>
 *   <li>then the rarest among the peer's pieces, ties broken at random so that the leechers of one
 *       seeder spread over different pieces;</li>
 *   <li>end game: once every missing piece is started and no wanted block is left for this peer,
 *       a block already in flight from <em>one other</em> peer is requested a second time; the
 *       first copy to arrive wins and the engine cancels the other ({@link Arrival#losers}).</li>
 * </ol>
 * Thread-safe (one lock; every operation is O(pieces) at worst).
 */
public final class PiecePicker {
    /** Pieces picked at random before rarest-first takes over. */
    public static final int RANDOM_FIRST = 4;
    /** Copies of one block in flight at most, in end game. */
    public static final int MAX_COPIES = 2;

    private final PieceLayout layout;
    private final BitSet have;
    private final int[] availability;
    private final RandomGenerator random;
    private final Map<Integer, Partial> started = new LinkedHashMap<>(); // oldest first

    /** A started piece: which blocks arrived and who has each in flight. */
    private static final class Partial {
        final BitSet received = new BitSet();
        final List<List<Object>> owners;

        Partial(int blocks) {
            owners = new ArrayList<>(blocks);
            for (int i = 0; i < blocks; i++) owners.add(new ArrayList<>(1));
        }
    }

    /**
     * What became of a block that arrived.
     *
     * @param first  whether this is the first copy (to be stored); false: a duplicate, or a block of a
     *               piece that is had or was reset meanwhile, whose bytes are wasted
     * @param losers other owners that still have this block in flight: cancel it there
     */
    public record Arrival(boolean first, List<Object> losers) {
        public Arrival {
            losers = List.copyOf(losers);
        }

        static final Arrival DUPLICATE = new Arrival(false, List.of());
        static final Arrival FIRST = new Arrival(true, List.of()); // the common case: no allocation per block
    }

    public PiecePicker(PieceLayout layout, BitSet have) {
        this(layout, have, RandomGenerator.getDefault());
    }

    public PiecePicker(PieceLayout layout, BitSet have, RandomGenerator random) {
        this.layout = layout;
        this.have = (BitSet) have.clone();
        this.availability = new int[layout.pieceCount()];
        this.random = random;
    }

    public synchronized void peerHas(int piece) {
        availability[piece]++;
    }

    public synchronized void peerHas(BitSet pieces) {
        pieces.stream().forEach(p -> availability[p]++);
    }

    public synchronized void peerGone(BitSet pieces) {
        pieces.stream().forEach(p -> availability[p]--);
    }

    /** Up to {@code max} blocks from pieces in {@code candidates}, now in flight for {@code owner}. */
    public synchronized List<BlockRef> pick(Object owner, BitSet candidates, int max) {
        List<BlockRef> picked = new ArrayList<>();
        for (var e : started.entrySet()) {
            if (picked.size() >= max) return picked;
            if (candidates.get(e.getKey())) takeWanted(owner, e.getKey(), e.getValue(), picked, max);
        }
        while (picked.size() < max) {
            int piece = nextPiece(candidates);
            if (piece < 0) break;
            Partial p = new Partial(layout.blockCount(piece));
            started.put(piece, p);
            takeWanted(owner, piece, p, picked, max);
        }
        if (picked.size() < max && inEndGame()) {
            for (var e : started.entrySet()) {
                if (picked.size() >= max) break;
                if (candidates.get(e.getKey())) takeSecondCopies(owner, e.getKey(), e.getValue(), picked, max);
            }
        }
        return picked;
    }

    /** Whether the peer with {@code pieces} has anything we still need. */
    public synchronized boolean wantsAny(BitSet pieces) {
        BitSet missing = (BitSet) pieces.clone();
        missing.andNot(have);
        return !missing.isEmpty();
    }

    /** A block {@code owner} had in flight will not arrive (choke, reject, snub, disconnect). */
    public synchronized void returned(Object owner, BlockRef block) {
        Partial p = started.get(block.piece());
        // The piece stays started even if no block is left in flight: returned blocks are asked for
        // first, so a choke or a dropped peer does not scatter us over more partial pieces.
        if (p != null) p.owners.get(block.begin() / PieceLayout.BLOCK_SIZE).remove(owner);
    }

    /** A block arrived from {@code from}; see {@link Arrival}. */
    public synchronized Arrival received(Object from, BlockRef block) {
        Partial p = started.get(block.piece());
        int b = block.begin() / PieceLayout.BLOCK_SIZE;
        if (p == null || p.received.get(b)) return Arrival.DUPLICATE;
        p.received.set(b);
        List<Object> owners = p.owners.get(b);
        owners.remove(from);
        if (owners.isEmpty()) return Arrival.FIRST;
        Arrival arrival = new Arrival(true, owners);
        owners.clear();
        return arrival;
    }

    /** Whether {@code owner} has this block in flight now (a request of its that still counts). */
    public synchronized boolean owns(Object owner, BlockRef block) {
        Partial p = started.get(block.piece());
        return p != null && p.owners.get(block.begin() / PieceLayout.BLOCK_SIZE).contains(owner);
    }

    public synchronized void verified(int piece) {
        started.remove(piece);
        have.set(piece);
    }

    /** The piece failed its hash: all of it is wanted again. */
    public synchronized void failed(int piece) {
        started.remove(piece);
    }

    public synchronized boolean complete() {
        return have.cardinality() == layout.pieceCount();
    }

    public synchronized boolean has(int piece) {
        return have.get(piece);
    }

    public synchronized BitSet have() {
        return (BitSet) have.clone();
    }

    /** Whether every missing piece is started, so only second copies can still be picked. */
    public synchronized boolean inEndGame() {
        return have.cardinality() + started.size() == layout.pieceCount();
    }

    private void takeWanted(Object owner, int piece, Partial p, List<BlockRef> picked, int max) {
        int count = layout.blockCount(piece);
        for (int b = p.received.nextClearBit(0); b < count && picked.size() < max; b = p.received.nextClearBit(b + 1)) {
            List<Object> owners = p.owners.get(b);
            if (!owners.isEmpty()) continue;
            owners.add(owner);
            picked.add(new BlockRef(piece, b * PieceLayout.BLOCK_SIZE, layout.blockSize(piece, b)));
        }
    }

    private void takeSecondCopies(Object owner, int piece, Partial p, List<BlockRef> picked, int max) {
        int count = layout.blockCount(piece);
        for (int b = p.received.nextClearBit(0); b < count && picked.size() < max; b = p.received.nextClearBit(b + 1)) {
            List<Object> owners = p.owners.get(b);
            if (owners.size() >= MAX_COPIES || owners.contains(owner)) continue;
            owners.add(owner);
            picked.add(new BlockRef(piece, b * PieceLayout.BLOCK_SIZE, layout.blockSize(piece, b)));
        }
    }

    /** The next piece to start among the candidates, or -1: random at first, then rarest. */
    private int nextPiece(BitSet candidates) {
        int n = layout.pieceCount();
        int start = random.nextInt(n);
        boolean randomOnly = have.cardinality() < RANDOM_FIRST;
        int best = -1;
        for (int i = 0; i < n; i++) {
            int p = (start + i) % n;
            if (!candidates.get(p) || have.get(p) || started.containsKey(p)) continue;
            if (randomOnly) return p; // the first eligible piece after a random start
            if (best < 0 || availability[p] < availability[best]) best = p;
        }
        return best;
    }
}
