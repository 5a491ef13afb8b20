package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Random;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files left out, the part file that keeps their bytes of shared pieces, and selecting them later. */
class PartFileTest {
    @TempDir
    Path dir;
    private final PieceHasher hasher = new PieceHasher(2);

    private static final int[] SOME = StraddlingTorrent.SOME;
    private static final int[] ALL = StraddlingTorrent.ALL;
    private static final BitSet WANTED = StraddlingTorrent.wantedPieces();

    @AfterEach
    void stop() {
        hasher.close();
    }

    static TestTorrent straddling() {
        return StraddlingTorrent.torrent();
    }

    private static BitSet bits(int... set) {
        return StraddlingTorrent.bits(set);
    }

    private Storage open(TestTorrent t, int[] priorities) throws StorageException {
        return Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT, t.metainfo().infoHash(), priorities);
    }

    /** The wanted pieces under {@link #SOME}, written and closed: what a finished subset leaves. */
    private void writeSubset(TestTorrent t) throws IOException {
        try (Storage s = open(t, SOME)) {
            writePieces(s, t, WANTED);
        }
    }

    private Path partFile(TestTorrent t) {
        return PartFile.path(dir, t.metainfo().infoHash());
    }

    private static void writePieces(Storage s, TestTorrent t, BitSet pieces) throws StorageException {
        for (int p = pieces.nextSetBit(0); p >= 0; p = pieces.nextSetBit(p + 1)) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
    }

    private static byte[] readPiece(Storage s, int piece) throws StorageException {
        byte[] b = new byte[s.info().layout().pieceSize(piece)];
        assertThat(s.read(piece, 0, ByteBuffer.wrap(b))).as("piece " + piece + " readable").isTrue();
        return b;
    }

    private Path pathOf(TestTorrent t, int index) {
        return t.metainfo().info().files().get(index).resolveIn(dir);
    }

    @Test
    void unwantedFilesAreNeverCreatedAndSharedPiecesReadBackFromThePartFile() throws IOException {
        TestTorrent t = straddling();
        try (Storage s = open(t, SOME)) {
            writePieces(s, t, WANTED);
            for (int p = WANTED.nextSetBit(0); p >= 0; p = WANTED.nextSetBit(p + 1)) assertThat(readPiece(s, p)).isEqualTo(t.piece(p));
            assertThat(s.piecesOnDisk()).isEqualTo(WANTED);
            assertThat(s.inPartFile(1)).isTrue();
            assertThat(s.inPartFile(0)).isFalse();
        }
        for (int wanted : new int[] {0, 2, 4}) {
            assertThat(Files.readAllBytes(pathOf(t, wanted))).isEqualTo(t.expected(t.metainfo().info().files().get(wanted)));
        }
        for (int absent : new int[] {1, 3, 5, 6}) assertThat(pathOf(t, absent)).doesNotExist();
        assertThat(dir.resolve("sel/sub")).as("no folder for a file left out").doesNotExist();
        assertThat(dir.resolve("sel/.pad")).doesNotExist();
        assertThat(partFile(t)).exists();
        // The part file holds only the three shared pieces: a slot of 32 KiB each after a 4 KiB header.
        assertThat(Files.size(partFile(t))).isLessThanOrEqualTo(4096 + 3 * 32 * 1024);
    }

    @Test
    void aRecheckFindsSharedPiecesFromTheFilesAndThePartFile() throws IOException {
        TestTorrent t = straddling();
        writeSubset(t);
        try (Storage s = open(t, SOME)) {
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(WANTED);
        }
    }

    @Test
    void selectingTheRestMovesItsBytesOutOfThePartFileWithoutRefetching() throws IOException {
        TestTorrent t = straddling();
        try (Storage s = open(t, SOME)) {
            writePieces(s, t, WANTED);
            s.filePriorities(ALL);
            assertThat(partFile(t)).as("no slot is needed any more").doesNotExist();
            assertThat(pathOf(t, 5)).as("the empty file, wanted now").exists();
            for (int p = WANTED.nextSetBit(0); p >= 0; p = WANTED.nextSetBit(p + 1)) assertThat(readPiece(s, p)).isEqualTo(t.piece(p));
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(WANTED);
            writePieces(s, t, bits(2, 3));
        }
        assertEveryFileExact(t);
    }

    @Test
    void selectingTheRestOnTheNextStartMovesTheBytesAtOpen() throws IOException {
        TestTorrent t = straddling();
        writeSubset(t);
        try (Storage s = open(t, new int[] {4, 4, 4, 0, 4, 0, 0})) { // b now wanted, f still not
            assertThat(s.inPartFile(1)).isFalse();
            assertThat(s.inPartFile(6)).isTrue();
            assertThat(partFile(t)).as("piece 7 still holds bytes of f").exists();
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(WANTED);
            writePieces(s, t, bits(2, 3));
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(bits(0, 1, 2, 3, 4, 5, 6, 7));
        }
        assertThat(pathOf(t, 6)).doesNotExist();
        assertThat(Files.readAllBytes(pathOf(t, 1))).isEqualTo(t.expected(t.metainfo().info().files().get(1)));
    }

    @Test
    void aFileOnDiskStaysInUseWhenItIsLeftOut() throws IOException {
        TestTorrent t = straddling();
        try (Storage s = open(t, ALL)) {
            writePieces(s, t, bits(0, 1, 2, 3, 4, 5, 6, 7));
            s.filePriorities(SOME);
            assertThat(s.inPartFile(1)).isFalse();
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(bits(0, 1, 2, 3, 4, 5, 6, 7));
        }
        assertThat(partFile(t)).doesNotExist();
        assertEveryFileExact(t);
    }

    @Test
    void aDamagedPartFileCostsItsPiecesNeverWrongData() throws IOException {
        TestTorrent t = straddling();
        writeSubset(t);
        // Garbage header: not ours, so no slot is believed.
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        try (var c = java.nio.channels.FileChannel.open(partFile(t), StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(garbage), 0);
        }
        try (Storage s = open(t, SOME)) {
            assertThat(Recheck.run(s, hasher, 4)).isEqualTo(bits(0, 5, 6));
            writePieces(s, t, bits(1));
            assertThat(readPiece(s, 1)).isEqualTo(t.piece(1));
        }
        // Slot entries that lie (out of range, one piece twice) are dropped; the data still hashes or not.
        try (var c = java.nio.channels.FileChannel.open(partFile(t), StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.allocate(12).putInt(0, 99_999).putInt(4, 2).putInt(8, 2), 12);
        }
        try (Storage s = open(t, SOME)) {
            BitSet have = Recheck.run(s, hasher, 4);
            assertThat(have).isEqualTo(bits(0, 5, 6));
        }
    }

    @Test
    void resumeDataIsNotTrustedOnceThePartFileChanged() throws IOException {
        TestTorrent t = straddling();
        InfoDict info = t.metainfo().info();
        writeSubset(t);
        ResumeData.save(dir, t.metainfo().infoHash(), info, WANTED);
        assertThat(ResumeData.load(dir, t.metainfo().infoHash(), info)).map(ResumeData.Loaded::have).contains(WANTED);
        Files.write(partFile(t), new byte[] {1}, StandardOpenOption.APPEND);
        assertThat(ResumeData.load(dir, t.metainfo().infoHash(), info)).isEmpty();
    }

    @Test
    void aLinkPlantedAtThePartFilesNameIsRefusedNotFollowed() throws IOException {
        TestTorrent t = straddling();
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep me");
        Files.createSymbolicLink(partFile(t), outside);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(t, SOME).close())
                .isInstanceOf(StorageException.class).hasMessageEndingWith("is a symbolic link; refusing to use it as the part file");
        assertThat(Files.readString(outside)).isEqualTo("keep me");
    }

    @Test
    void withoutAnInfoHashNoFileCanBeLeftOut() {
        TestTorrent t = straddling();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT, null, SOME)) {
                s.info();
            }
        }).isInstanceOf(StorageException.class).hasMessageContaining("cannot leave out sel/b");
    }

    private void assertEveryFileExact(TestTorrent t) throws IOException {
        for (FileEntry f : t.metainfo().info().files()) {
            if (f.isPadding()) {
                assertThat(f.resolveIn(dir)).doesNotExist();
                continue;
            }
            assertThat(Files.readAllBytes(f.resolveIn(dir))).as(f.displayPath()).isEqualTo(t.expected(f));
        }
    }
}
