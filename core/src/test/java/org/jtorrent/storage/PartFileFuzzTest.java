package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;

/**
 * Fuzz target of the part file reader (docs/fuzzing.md, docs/pieces.md). A download folder holds
 * the wanted files of {@link StraddlingTorrent} (some files left out); the input becomes its part
 * file. Opening and re-checking never throw, never vouch for a piece the data does not hash to
 * (pieces 1, 4 and 7 need the part file, the others do not), leave no descriptor or thread behind,
 * and the part file as the storage wrote it gives every wanted piece back.
 */
class PartFileFuzzTest {
    private static final TestTorrent TORRENT = StraddlingTorrent.torrent();
    private static final Path FOLDER = folder();
    private static final Path PARTS = PartFile.path(FOLDER, TORRENT.metainfo().infoHash());
    /** The part file as the storage wrote it for the wanted pieces. */
    private static final byte[] GENUINE = genuine();
    private static final BitSet WITHOUT_PARTS = StraddlingTorrent.bits(0, 5, 6);
    private static final PieceHasher HASHER = new PieceHasher(1);

    private static Path folder() {
        try {
            Path folder = Files.createTempDirectory("jtorrent-parts-fuzz");
            folder.toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] genuine() {
        try (Storage s = open()) {
            BitSet wanted = StraddlingTorrent.wantedPieces();
            for (int p = wanted.nextSetBit(0); p >= 0; p = wanted.nextSetBit(p + 1)) s.write(p, 0, ByteBuffer.wrap(TORRENT.piece(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Files.readAllBytes(PARTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Storage open() throws StorageException {
        return Storage.open(TORRENT.metainfo().info(), FOLDER, Storage.Options.DEFAULT.withDirectWrites(false),
                TORRENT.metainfo().infoHash(), StraddlingTorrent.SOME);
    }

    /**
     * Input: a mode byte, then either (even mode) the part file's bytes as they are, or (odd mode)
     * (offset, value) pairs, offsets of two bytes, that patch the genuine part file.
     */
    @FuzzTest(maxDuration = "60s")
    void load(byte[] input) throws IOException {
        if (input.length < 1) return;
        byte[] file;
        boolean genuine = false;
        if ((input[0] & 1) == 0) {
            file = Arrays.copyOfRange(input, 1, input.length);
        } else {
            file = GENUINE.clone();
            for (int i = 1; i + 2 < input.length; i += 3) {
                int at = ((input[i] & 0xff) << 8 | (input[i + 1] & 0xff)) * 37 % file.length;
                file[at] = input[i + 2];
            }
            genuine = Arrays.equals(file, GENUINE);
        }
        Files.write(PARTS, file);

        // The hasher's pool thread is the test's, not something a run leaves behind: start it first.
        // (Not in the static initialiser: the task's lambda would wait there for this class's own
        // initialisation.)
        HASHER.submit(() -> true).join();
        FuzzChecks.Resources before = FuzzChecks.Resources.now();
        BitSet have;
        try (Storage s = open()) {
            have = Recheck.run(s, HASHER, 2);
        }
        FuzzChecks.Resources.now().assertNothingLeftSince(before, "part file load and re-check");

        BitSet outside = (BitSet) have.clone();
        outside.andNot(StraddlingTorrent.wantedPieces());
        assertThat(outside).as("only wanted pieces can be on disk").isEqualTo(new BitSet());
        BitSet missing = (BitSet) WITHOUT_PARTS.clone();
        missing.andNot(have);
        assertThat(missing).as("pieces without a byte in the part file do not depend on it").isEqualTo(new BitSet());
        if (genuine) assertThat(have).isEqualTo(StraddlingTorrent.wantedPieces());
    }
}
