package org.jtorrent.storage;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Verifies what is already on disk when a download starts, so a download over complete (or partly
 * complete) data serves and keeps it instead of fetching it again. Pieces are read and hashed on
 * the hasher pool, a bounded number at a time, each read in chunks ({@link PieceHasher#verifyOnDisk}),
 * so memory stays at a chunk per hashing thread however large the pieces.
 */
public final class Recheck {
    private Recheck() {
    }

    public static BitSet run(Storage storage, PieceHasher hasher, int parallel) throws StorageException {
        return run(storage, hasher, parallel, new BitSet());
    }

    /**
     * The pieces on disk at start, given what resume data vouches for (empty: no usable resume
     * data): its pieces are taken as they are, and only when files changed after a periodic save
     * (a killed process) are the other pieces on disk hashed, so a {@code kill -9} costs a check of
     * what was written since the last save, never of everything.
     */
    public static BitSet afterResume(Storage storage, PieceHasher hasher, int parallel,
                                     Optional<ResumeData.Loaded> resumed) throws StorageException {
        if (resumed.isEmpty()) return run(storage, hasher, parallel);
        BitSet have = (BitSet) resumed.get().have().clone();
        if (resumed.get().othersMayBeOnDisk()) have.or(run(storage, hasher, parallel, have));
        return have;
    }

    /** Hashes the pieces on disk except those in {@code known}; returns those that verify. */
    private static BitSet run(Storage storage, PieceHasher hasher, int parallel, BitSet known) throws StorageException {
        // Only pieces whose bytes all lie inside files on disk can verify: a fresh download costs
        // one look at each file, not a read attempt per piece.
        BitSet candidates = storage.piecesOnDisk();
        candidates.andNot(known);
        BitSet have = new BitSet(storage.info().pieceCount());
        List<Integer> pieces = new ArrayList<>();
        List<CompletableFuture<Boolean>> window = new ArrayList<>();
        for (int piece = candidates.nextSetBit(0); piece >= 0; piece = candidates.nextSetBit(piece + 1)) {
            pieces.add(piece);
            window.add(hasher.verifyOnDisk(storage, piece));
            if (window.size() == parallel || candidates.nextSetBit(piece + 1) < 0) {
                for (int i = 0; i < window.size(); i++) {
                    if (join(window.get(i))) have.set(pieces.get(i));
                }
                pieces.clear();
                window.clear();
            }
        }
        return have;
    }

    private static boolean join(CompletableFuture<Boolean> f) throws StorageException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StorageException s) throw s;
            throw new StorageException("re-checking failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while re-checking");
        }
    }
}
