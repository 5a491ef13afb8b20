package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.testing.FuzzChecks;

/**
 * Fuzz target of the resume file reader (docs/fuzzing.md). A download folder holds a torrent of 13
 * pieces (two files present, one absent); the input becomes its resume file. Loading never throws,
 * vouches only for pieces the file lists
 * and whose bytes lie in the files on disk, allocates in proportion to the file, leaves no descriptor or
 * thread behind, and a file as {@link ResumeData#save} writes it loads to exactly what was saved.
 */
class ResumeDataFuzzTest {
    private static final Metainfo TORRENT = torrent();
    private static final Path FOLDER = folder();
    private static final Path RESUME = ResumeData.file(FOLDER, TORRENT.infoHash());
    /** A resume file as {@link ResumeData#save} writes it for this folder, with no piece. */
    private static final byte[] SAVED_EMPTY = savedEmpty();
    private static final int PIECES = TORRENT.info().pieceCount();
    private static final int BITFIELD_AT = 4 + 20 + 4 + 1; // magic, info-hash, piece count, flags
    /** The pieces whose bytes all lie in the files present (a.bin, sub/c.bin): the only ones a load may vouch for. */
    private static final BitSet COVERED = covered();

    private static Metainfo torrent() {
        byte[] pieces = new byte[13 * 20];
        List<Map<String, Object>> files = List.of(
                Map.of("length", 20_000L, "path", List.of("a.bin")),
                Map.of("length", 30_000L, "path", List.of("absent.bin")),
                Map.of("length", 1L, "path", List.of("sub", "c.bin")));
        try {
            return Metainfo.parse(Bencode.encode(Map.of("info", Map.of("name", "resume-fuzz", "piece length", 4096L,
                    "pieces", pieces, "files", files))));
        } catch (InvalidTorrentException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path folder() {
        try {
            Path folder = Files.createTempDirectory("jtorrent-resume-fuzz");
            Path root = folder.resolve("resume-fuzz");
            Files.createDirectories(root.resolve("sub"));
            Files.write(root.resolve("a.bin"), new byte[20_000]);
            Files.write(root.resolve("sub").resolve("c.bin"), new byte[1]);
            folder.toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] savedEmpty() {
        try {
            ResumeData.save(FOLDER, TORRENT.infoHash(), TORRENT.info(), new BitSet());
            byte[] saved = Files.readAllBytes(RESUME);
            Files.delete(RESUME);
            return saved;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BitSet covered() {
        long[] sizes = {20_000, -1, 1};
        BitSet covered = new BitSet();
        for (int p = 0; p < TORRENT.info().pieceCount(); p++) {
            boolean all = true;
            for (var slice : TORRENT.info().layout().slices(p)) {
                all &= sizes[slice.file()] >= slice.fileOffset() + slice.length();
            }
            if (all) covered.set(p);
        }
        return covered;
    }

    /** The saved file with these pieces set and its checksum recomputed: what save would write for them. */
    private static byte[] savedWith(byte[] bits) {
        byte[] file = SAVED_EMPTY.clone();
        int bitfieldLength = (PIECES + 7) / 8;
        for (int i = 0; i < bitfieldLength && i < bits.length; i++) file[BITFIELD_AT + i] = bits[i];
        file[BITFIELD_AT + bitfieldLength - 1] &= (byte) (0xff << (bitfieldLength * 8 - PIECES)); // spare bits stay clear
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 8);
        ByteBuffer.wrap(file).putLong(file.length - 8, crc.getValue());
        return file;
    }

    private static BitSet bitsOf(byte[] file) {
        BitSet have = new BitSet();
        for (int p = 0; p < PIECES; p++) if ((file[BITFIELD_AT + (p >> 3)] & (0x80 >>> (p & 7))) != 0) have.set(p);
        return have;
    }

    /**
     * Input: a mode byte, then either (even mode) the resume file's bytes as they are, or (odd mode)
     * two bytes of pieces to save, followed by (offset, value) pairs that patch the saved file.
     */
    @FuzzTest(maxDuration = "60s")
    void load(byte[] input) throws IOException {
        if (input.length < 1) return;
        byte[] file;
        BitSet saved = null;
        if ((input[0] & 1) == 0) {
            file = java.util.Arrays.copyOfRange(input, 1, input.length);
        } else {
            byte[] bits = java.util.Arrays.copyOfRange(input, 1, Math.min(3, input.length));
            file = savedWith(bits);
            saved = bitsOf(file);
            for (int i = 3; i + 1 < input.length; i += 2) {
                int at = (input[i] & 0xff) % file.length;
                if (file[at] != input[i + 1]) saved = null; // patched: no longer what save wrote
                file[at] = input[i + 1];
            }
        }
        Files.write(RESUME, file);

        FuzzChecks.Resources before = FuzzChecks.Resources.now();
        Optional<ResumeData.Loaded> loaded = FuzzChecks.boundedAllocation(4L * file.length + 64 * 1024, "ResumeData.load",
                () -> ResumeData.load(FOLDER, TORRENT.infoHash(), TORRENT.info()));
        FuzzChecks.Resources.now().assertNothingLeftSince(before, "ResumeData.load");

        loaded.ifPresent(l -> {
            BitSet outside = (BitSet) l.have().clone();
            outside.andNot(COVERED);
            assertThat(outside.isEmpty()).as("pieces vouched for outside the files on disk: %s", outside).isTrue();
            BitSet notInFile = (BitSet) l.have().clone();
            notInFile.andNot(bitsOf(file));
            assertThat(notInFile.isEmpty()).as("pieces the file does not list: %s", notInFile).isTrue();
        });
        if (saved != null) {
            saved.and(COVERED);
            assertThat(loaded).contains(new ResumeData.Loaded(saved, false));
        }
        if (file.length != SAVED_EMPTY.length) assertThat(loaded).isEmpty();
    }
}
