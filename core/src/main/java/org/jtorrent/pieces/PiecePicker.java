package org.jtorrent.pieces;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jtorrent.metainfo.PieceLayout;

/**
 * Which blocks to request next. Invariant: every block is either <em>wanted</em> (not had, not
 * requested), <em>in flight</em> with exactly one owner (the caller that picked it, until it is
 * {@link #returned} or its piece completes), or <em>had</em> (its piece verified).
 *
 * <p>Order, as libtorrent's picker: pieces already started come first (a partial piece is memory
 * held and data not yet shareable), then the rarest among the peer's pieces, ties broken by a
 * random starting point so that leechers of one seeder do not all want the same piece.
 * No end game yet: with one peer it cannot help.
 */
public final class PiecePicker {
    private final PieceLayout layout;
    private final BitSet have;
    private final int[] availability;
    /** Started pieces: bit set = block picked (in flight) or received. */
    private final Map<Integer, BitSet> started = new LinkedHashMap<>(); // oldest first

    public PiecePicker(PieceLayout layout, BitSet have) {
        this.layout = layout;
        this.have = (BitSet) have.clone();
        this.availability = new int[layout.pieceCount()];
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

    /** Up to {@code max} blocks from pieces in {@code candidates}, now owned by the caller. */
    public synchronized List<Block> pick(BitSet candidates, int max) {
        List<Block> picked = new ArrayList<>();
        for (var e : started.entrySet()) {
            if (picked.size() >= max) return picked;
            if (candidates.get(e.getKey())) takeBlocks(e.getKey(), e.getValue(), picked, max);
        }
        while (picked.size() < max) {
            int piece = rarestUnstarted(candidates);
            if (piece < 0) break;
            BitSet blocks = new BitSet();
            started.put(piece, blocks);
            takeBlocks(piece, blocks, picked, max);
        }
        return picked;
    }

    /** Whether the peer with {@code pieces} has anything we still need. */
    public synchronized boolean wantsAny(BitSet pieces) {
        BitSet missing = (BitSet) pieces.clone();
        missing.andNot(have);
        return !missing.isEmpty();
    }

    /** A picked block will not arrive (choke, reject, disconnect): someone else may pick it. */
    public synchronized void returned(Block block) {
        BitSet blocks = started.get(block.piece());
        if (blocks == null) return;
        // The piece stays started even if no block is left in flight: returned blocks are asked for
        // first, so a choke or a dropped peer does not scatter us over more partial pieces.
        blocks.clear(block.begin() / PieceLayout.BLOCK_SIZE);
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

    public synchronized BitSet have() {
        return (BitSet) have.clone();
    }

    private void takeBlocks(int piece, BitSet blocks, List<Block> picked, int max) {
        int count = layout.blockCount(piece);
        for (int b = blocks.nextClearBit(0); b < count && picked.size() < max; b = blocks.nextClearBit(b + 1)) {
            blocks.set(b);
            picked.add(new Block(piece, b * PieceLayout.BLOCK_SIZE, layout.blockSize(piece, b)));
        }
    }

    private int rarestUnstarted(BitSet candidates) {
        int n = layout.pieceCount();
        int start = ThreadLocalRandom.current().nextInt(n);
        int best = -1;
        for (int i = 0; i < n; i++) {
            int p = (start + i) % n;
            if (!candidates.get(p) || have.get(p) || started.containsKey(p)) continue;
            if (best < 0 || availability[p] < availability[best]) best = p;
        }
        return best;
    }
}
