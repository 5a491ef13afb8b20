package org.jtorrent.storage;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
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
        // Only pieces whose bytes all lie inside files on disk can verify: a fresh download costs
        // one look at each file, not a read attempt per piece.
        BitSet candidates = storage.piecesOnDisk();
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
