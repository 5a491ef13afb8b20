package org.jtorrent.pieces;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.Priorities;
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
 * <p>Priorities ({@link Priorities}): each piece has a level, 0 = do not download, 1..7, 4 by
 * default. Higher levels go first, strictly (libtorrent instead weighs availability by the level, so
 * a rare low piece may beat a common high one; a strict order is simpler to predict and to test);
 * within a level, the order above. A piece at level 0 is never started, makes no peer interesting,
 * and a started one gets no more blocks (those in flight may still land). "First and last pieces
 * first" ({@link #sequential}) lifts the first and the last piece of every wanted file above level 7:
 * what a player reads first (a container's header, its index at the end).
 *
 * <p>Sequential mode (streaming): new pieces start in index order instead of rarest first, and only
 * inside a window of {@link #sequentialWindow()} pieces from the lowest wanted piece not yet
 * verified that some peer has; a piece further on waits until the window slides there. So a piece
 * verifies at most a window ahead of the first one missing. Levels 1..6 only say "wanted" in this
 * mode; pieces at level 7 (and the file ends when asked for) go first, wherever they are.
 *
 * <p>Done and seed are different questions: {@link #hasAllWanted()} (the download is finished) and
 * {@link #hasAll()} (every piece, a seed). Priorities and mode can change at any time.
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
    private final int[] priority;
    /** Wanted pieces (level above 0) not had yet: the download is finished when it is empty. */
    private final BitSet missingWanted = new BitSet();
    /** The first and last piece of each wanted file. */
    private BitSet fileEnds;
    private boolean sequential;
    private boolean fileEndsFirst;
    /** Whether any piece is picked at level 7 or above: otherwise sequential mode skips that scan. */
    private boolean anyTop;
    private int window;

    /** The sequential window: 32 MiB of pieces, at least 4. */
    static int defaultWindow(PieceLayout layout) {
        return (int) Math.max(4, (32L << 20) / layout.pieceLength());
    }

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
        this.priority = new int[layout.pieceCount()];
        java.util.Arrays.fill(priority, Priorities.DEFAULT);
        this.fileEnds = Priorities.firstAndLastPieces(layout, Priorities.allFiles(layout, Priorities.DEFAULT));
        this.window = defaultWindow(layout);
        recount();
    }

    // ---- priorities and mode ----

    /** Sets every piece's level from the files' levels ({@link Priorities#ofPieces}). */
    public synchronized void filePriorities(int[] filePriorities) {
        int[] pieces = Priorities.ofPieces(layout, filePriorities);
        fileEnds = Priorities.firstAndLastPieces(layout, filePriorities);
        System.arraycopy(pieces, 0, priority, 0, pieces.length);
        recount();
    }

    /** Sets every piece's level: one per piece, each 0..7. */
    public synchronized void piecePriorities(int[] levels) {
        if (levels.length != priority.length) {
            throw new IllegalArgumentException(levels.length + " piece priorities for " + priority.length + " pieces");
        }
        for (int level : levels) Priorities.check(level);
        System.arraycopy(levels, 0, priority, 0, levels.length);
        recount();
    }

    public synchronized void piecePriority(int piece, int level) {
        Priorities.check(level);
        layout.pieceOffset(piece); // checks the index
        priority[piece] = level;
        recount();
    }

    public synchronized int priority(int piece) {
        return priority[piece];
    }

    /** The pieces at a level above 0. */
    public synchronized BitSet wanted() {
        BitSet wanted = new BitSet(priority.length);
        for (int p = 0; p < priority.length; p++) if (priority[p] > 0) wanted.set(p);
        return wanted;
    }

    /**
     * Switches between rarest first ({@code sequential} false) and index order within the window;
     * {@code fileEndsFirst}: the first and last piece of every wanted file before anything else.
     */
    public synchronized void sequential(boolean sequential, boolean fileEndsFirst) {
        this.sequential = sequential;
        this.fileEndsFirst = fileEndsFirst;
        recount();
    }

    public synchronized boolean isSequential() {
        return sequential;
    }

    /** How far ahead of the first missing piece sequential mode starts pieces. */
    public synchronized int sequentialWindow() {
        return window;
    }

    public synchronized void sequentialWindow(int pieces) {
        if (pieces < 1) throw new IllegalArgumentException("the sequential window needs at least one piece");
        window = pieces;
    }

    private void recount() {
        missingWanted.clear();
        anyTop = false;
        for (int p = have.nextClearBit(0); p < priority.length; p = have.nextClearBit(p + 1)) {
            if (priority[p] > 0) missingWanted.set(p);
            anyTop |= level(p) >= Priorities.TOP;
        }
    }

    /** The level a piece is picked at: its priority, or above the top for a file end asked first. */
    private int level(int piece) {
        int level = priority[piece];
        return level > 0 && fileEndsFirst && fileEnds.get(piece) ? Priorities.TOP + 1 : level;
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
            if (candidates.get(e.getKey()) && priority[e.getKey()] > 0) takeWanted(owner, e.getKey(), e.getValue(), picked, max);
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
                if (candidates.get(e.getKey()) && priority[e.getKey()] > 0) {
                    takeSecondCopies(owner, e.getKey(), e.getValue(), picked, max);
                }
            }
        }
        return picked;
    }

    /** Whether the peer with {@code pieces} has anything we still need. */
    public synchronized boolean wantsAny(BitSet pieces) {
        return pieces.intersects(missingWanted);
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
        if (have.get(piece)) return;
        have.set(piece);
        missingWanted.clear(piece);
    }

    /** The piece failed its hash: all of it is wanted again. */
    public synchronized void failed(int piece) {
        started.remove(piece);
    }

    /** Every wanted piece verified: the download is finished (a seed of what was selected). */
    public synchronized boolean hasAllWanted() {
        return missingWanted.isEmpty();
    }

    /** Every piece verified: a seed of the whole torrent. */
    public synchronized boolean hasAll() {
        return have.cardinality() == layout.pieceCount();
    }

    public synchronized boolean has(int piece) {
        return have.get(piece);
    }

    public synchronized BitSet have() {
        return (BitSet) have.clone();
    }

    /** Whether every missing wanted piece is started, so only second copies can still be picked. */
    public synchronized boolean inEndGame() {
        int startedWanted = 0;
        for (int piece : started.keySet()) if (priority[piece] > 0) startedWanted++;
        return startedWanted == missingWanted.cardinality();
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

    /** The next piece to start among the candidates, or -1. */
    private int nextPiece(BitSet candidates) {
        return sequential ? nextInOrder(candidates) : nextRarest(candidates);
    }

    private boolean startable(int piece, BitSet candidates) {
        return candidates.get(piece) && priority[piece] > 0 && !have.get(piece) && !started.containsKey(piece);
    }

    /** The highest level first; within it random at first, then rarest with ties broken at random. */
    private int nextRarest(BitSet candidates) {
        int n = layout.pieceCount();
        int start = random.nextInt(n);
        boolean randomOnly = have.cardinality() < RANDOM_FIRST;
        int best = -1;
        int bestLevel = 0;
        for (int i = 0; i < n; i++) {
            int p = (start + i) % n;
            if (!startable(p, candidates)) continue;
            int level = level(p);
            if (best < 0 || level > bestLevel || (level == bestLevel && !randomOnly && availability[p] < availability[best])) {
                best = p;
                bestLevel = level;
            }
        }
        return best;
    }

    /** Pieces at the top level (and file ends when asked) first, anywhere; then index order inside the window. */
    private int nextInOrder(BitSet candidates) {
        // Only scanned when some piece is at the top: a streaming download starts a piece per
        // call, and a scan of every piece each time would make it quadratic in the piece count.
        for (int p = anyTop ? missingWanted.nextSetBit(0) : -1; p >= 0; p = missingWanted.nextSetBit(p + 1)) {
            if (level(p) >= Priorities.TOP && startable(p, candidates)) return p;
        }
        int low = windowStart();
        if (low < 0) return -1;
        int end = (int) Math.min(priority.length, (long) low + window);
        for (int p = candidates.nextSetBit(low); p >= 0 && p < end; p = candidates.nextSetBit(p + 1)) {
            if (startable(p, candidates)) return p;
        }
        return -1;
    }

    /**
     * The lowest wanted piece not verified yet (started or not) that some peer has: the window
     * starts there. A piece no peer has does not hold the window back.
     */
    private int windowStart() {
        for (int p = missingWanted.nextSetBit(0); p >= 0; p = missingWanted.nextSetBit(p + 1)) {
            if (level(p) < Priorities.TOP && availability[p] > 0) return p;
        }
        return -1;
    }
}
