package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.testing.DiskDamage.flipByte;
import static org.jtorrent.testing.TestTorrent.Spec.file;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeDataTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;

    private final TestTorrent torrent = TestTorrent.single("data.bin", 100_000, 16 * 1024);

    @Test
    void aSymlinkPlantedAtTheTemporaryNameIsNotFollowed() throws Exception {
        torrent.writeTo(dir);
        Path victim = elsewhere.resolve("precious.txt");
        Files.writeString(victim, "not yours to overwrite");
        Path resume = ResumeData.file(dir, torrent.metainfo().infoHash());
        Path temp = resume.resolveSibling(resume.getFileName() + ".tmp");
        Files.createSymbolicLink(temp, victim);
        BitSet have = new BitSet();
        have.set(0, torrent.metainfo().info().pieceCount());

        ResumeData.save(dir, torrent.metainfo().infoHash(), torrent.metainfo().info(), have);

        assertThat(Files.readAllBytes(victim)).asString(StandardCharsets.UTF_8).isEqualTo("not yours to overwrite");
        assertThat(Files.isSymbolicLink(resume)).isFalse();
        assertThat(temp).doesNotExist();
        assertThat(ResumeData.load(dir, torrent.metainfo().infoHash(), torrent.metainfo().info())).map(ResumeData.Loaded::have).contains(have);
    }

    @Test
    void aLeftoverTemporaryFileIsReplaced() throws Exception {
        torrent.writeTo(dir);
        Path resume = ResumeData.file(dir, torrent.metainfo().infoHash());
        Files.write(resume.resolveSibling(resume.getFileName() + ".tmp"), new byte[10_000]); // a crash mid-save
        BitSet have = new BitSet();
        have.set(2);

        ResumeData.save(dir, torrent.metainfo().infoHash(), torrent.metainfo().info(), have);

        assertThat(ResumeData.load(dir, torrent.metainfo().infoHash(), torrent.metainfo().info())).map(ResumeData.Loaded::have).contains(have);
    }

    // ---- periodic saves and kill -9 ----

    private final TestTorrent multi = TestTorrent.multi("m", 16 * 1024, file("a.bin", 40_000), file("b.bin", 60_000));

    private void writePieces(TestTorrent t, int... pieces) throws Exception {
        try (Storage s = Storage.open(t.metainfo().info(), dir, Storage.Options.DEFAULT.withDirectWrites(false))) {
            for (int p : pieces) s.write(p, 0, ByteBuffer.wrap(t.piece(p)));
        }
    }

    private static BitSet bits(int... pieces) {
        BitSet b = new BitSet();
        for (int p : pieces) b.set(p);
        return b;
    }

    private Optional<ResumeData.Loaded> load(TestTorrent t, Path resume) {
        return ResumeData.load(resume, dir, t.metainfo().infoHash(), t.metainfo().info());
    }

    @Test
    void afterAPeriodicSaveLaterWritesKeepTheSavedPiecesTrusted() throws Exception {
        Path resume = elsewhere.resolve("r.resume");
        writePieces(multi, 0, 1);
        ResumeData.save(resume, dir, multi.metainfo().infoHash(), multi.metainfo().info(), bits(0, 1), false);
        bumpMtimes(multi); // the filesystem's clock may not tick between the save and the next write
        writePieces(multi, 4, 5); // after the save; then "kill -9": no further save

        assertThat(load(multi, resume)).contains(new ResumeData.Loaded(bits(0, 1), true));
    }

    @Test
    void anUnchangedFolderAfterAPeriodicSaveNeedsNoRecheck() throws Exception {
        Path resume = elsewhere.resolve("r.resume");
        writePieces(multi, 0, 1, 5);
        ResumeData.save(resume, dir, multi.metainfo().infoHash(), multi.metainfo().info(), bits(0, 1, 5), false);

        assertThat(load(multi, resume)).contains(new ResumeData.Loaded(bits(0, 1, 5), false));
    }

    @Test
    void afterACleanCloseAnyChangeMeansAFullRecheck() throws Exception {
        Path resume = elsewhere.resolve("r.resume");
        writePieces(multi, 0, 1);
        ResumeData.save(resume, dir, multi.metainfo().infoHash(), multi.metainfo().info(), bits(0, 1), true);
        assertThat(load(multi, resume)).contains(new ResumeData.Loaded(bits(0, 1), false));

        bumpMtimes(multi); // nobody of ours wrote after a clean close: someone else did

        assertThat(load(multi, resume)).isEmpty();
    }

    @Test
    void aFileThatShrankAfterAPeriodicSaveLosesItsPiecesOnly() throws Exception {
        Path resume = elsewhere.resolve("r.resume");
        // a.bin: 0..39,999 (pieces 0-2, piece 2 also in b.bin); b.bin: pieces 2-6
        writePieces(multi, 0, 1, 2, 3, 4, 5, 6);
        ResumeData.save(resume, dir, multi.metainfo().infoHash(), multi.metainfo().info(), bits(0, 1, 2, 3, 4, 5, 6), false);
        Path b = dir.resolve("m/b.bin");
        try (FileChannel c = FileChannel.open(b, StandardOpenOption.WRITE)) {
            c.truncate(59_000); // one byte short would do: b.bin is not ours any more
        }

        assertThat(load(multi, resume)).contains(new ResumeData.Loaded(bits(0, 1), true));

        Files.delete(b);
        assertThat(load(multi, resume)).contains(new ResumeData.Loaded(bits(0, 1), true));
    }

    @Test
    void afterResumeHashesOnlyWhatTheRecordDoesNotList() throws Exception {
        Path resume = elsewhere.resolve("r.resume");
        writePieces(multi, 0, 1);
        ResumeData.save(resume, dir, multi.metainfo().infoHash(), multi.metainfo().info(), bits(0, 1), false);
        writePieces(multi, 3, 4); // verified after the last save, then killed
        // Trusted means not hashed: a byte of piece 0 changed in place (no write of ours ever
        // does that) goes unnoticed, while piece 4, damaged the same way, is hashed and dropped.
        flipByte(dir.resolve("m/a.bin"), 5);
        flipByte(dir.resolve("m/b.bin"), 4 * 16 * 1024 - 40_000 + 7);

        try (Storage s = Storage.open(multi.metainfo().info(), dir, Storage.Options.DEFAULT);
             PieceHasher hasher = new PieceHasher(2)) {
            BitSet have = Recheck.afterResume(s, hasher, 4, load(multi, resume));
            assertThat(have).isEqualTo(bits(0, 1, 3));
        }
    }

    @Test
    void aResumeFileOfTheFirstFormatIsStillRead() throws Exception {
        writePieces(multi, 0, 2);
        InfoDict info = multi.metainfo().info();
        Path resume = ResumeData.file(dir, multi.metainfo().infoHash());
        Files.write(resume, version1(multi.metainfo().infoHash(), info, bits(0, 2)));

        assertThat(ResumeData.load(dir, multi.metainfo().infoHash(), info)).contains(new ResumeData.Loaded(bits(0, 2), false));
        bumpMtimes(multi); // written at a clean close, as version 1 always was: strict
        assertThat(ResumeData.load(dir, multi.metainfo().infoHash(), info)).isEmpty();
    }

    /** A resume file as the code before periodic saves wrote it ("JTR1", no flags byte). */
    private byte[] version1(InfoHash hash, InfoDict info, BitSet have) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x4a545231);
        out.write(hash.bytes());
        out.writeInt(info.pieceCount());
        byte[] bits = new byte[(info.pieceCount() + 7) / 8];
        have.stream().forEach(p -> bits[p >> 3] |= (byte) (0x80 >>> (p & 7)));
        out.write(bits);
        out.writeInt(info.files().size());
        for (var f : info.files()) {
            Path p = f.resolveIn(dir);
            if (Files.exists(p)) {
                out.writeLong(Files.size(p));
                out.writeLong(Files.getLastModifiedTime(p).to(TimeUnit.NANOSECONDS));
            } else {
                out.writeLong(-1);
                out.writeLong(-1);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        return bytes.toByteArray();
    }

    private void bumpMtimes(TestTorrent t) throws Exception {
        for (var f : t.metainfo().info().files()) {
            Path p = f.resolveIn(dir);
            if (Files.exists(p)) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 5000));
            }
        }
    }
}
