package org.jtorrent.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.PieceLayout.FileSlice;

/**
 * Fast resume: which pieces were verified, so the next start can skip re-hashing the whole
 * torrent. Saved at a clean close and, by the session's state saver, periodically while data moves
 * (so it survives a {@code kill -9}); each save says which of the two it is.
 *
 * <p>Saving: the caller takes its snapshot of verified pieces first; the data files are then
 * fsynced (so every piece in the snapshot, written before it was verified, is durable: a resume
 * file never outlives the data it vouches for, even across a power cut), and only then is the
 * resume file written, atomically ({@link AtomicFile}). Pieces verified after the snapshot are
 * simply not listed: the next start finds them by hashing.
 *
 * <p>Loading: the per-file size and modification time recorded with the pieces decide how far the
 * record is trusted.
 * <ul>
 * <li>Every file unchanged: the record is exact, nothing else is hashed.</li>
 * <li>Saved at a clean close, a file changed since: nobody of ours wrote after that save, so
 *     someone else did; nothing is trusted (a full re-check), as before periodic saves existed.</li>
 * <li>Saved periodically (the process was then killed, or is still running): our own writes after
 *     the save changed the mtimes, so mtimes say nothing. We never write into a verified piece
 *     (only the first copy of a block of a piece not yet had reaches storage), and we never
 *     truncate a file, so a saved piece stays trusted while every file it touches is at least as
 *     long as recorded and covers it; pieces in a file that shrank or vanished are dropped. The
 *     pieces not listed may have been written after the save, so the caller hashes those that are
 *     on disk ({@link Loaded#othersMayBeOnDisk()}, {@link Recheck#afterResume}). What this rule
 *     cannot see: another program rewriting bytes in place, without shrinking the file, between a
 *     crash and the next start (libtorrent, which checks sizes only, trusts that case too).</li>
 * </ul>
 *
 * <p>Format: magic ({@code JTR2}), info-hash, piece count, a flags byte (1: saved at a clean
 * close), bitfield, per file (size, mtime in ns; -1 for a file that does not exist), then the same
 * for the part file ({@link PartFile}: the bytes of left-out files that verified pieces hold), and
 * a CRC-32 of all that, so a damaged file is ignored. A piece with bytes in a left-out file is
 * trusted only while every stamp is unchanged: after a periodic save its file is absent from the
 * folder, so the covering rule below drops it, and the re-check hashes it from the part file. {@code JTR1} files (no flags byte, always written at
 * a clean close, no part file) are still read. The state directory keeps it as {@code <info-hash>.resume}; the
 * old place, {@code .<info-hash>.jtorrent-resume} in the download folder, is still {@link #file}.
 */
public final class ResumeData {
    private static final int MAGIC_V1 = 0x4a545231; // "JTR1"
    private static final int MAGIC_V2 = 0x4a545232; // "JTR2"
    private static final int FLAG_CLEAN_CLOSE = 1;

    /**
     * What a resume file vouches for.
     *
     * @param have              pieces verified and durable, to be trusted without hashing
     * @param othersMayBeOnDisk whether pieces outside {@code have} may have been written after the
     *                          save (files changed since a periodic save): hash those on disk
     */
    public record Loaded(BitSet have, boolean othersMayBeOnDisk) {
    }

    private ResumeData() {
    }

    /** The resume file's place in the download folder (before the state directory existed). */
    public static Path file(Path downloadFolder, InfoHash infoHash) {
        return downloadFolder.resolve("." + infoHash.hex() + ".jtorrent-resume");
    }

    /** Saves {@code have} at a clean close, in the download folder ({@link #file}). */
    public static void save(Path downloadFolder, InfoHash infoHash, InfoDict info, BitSet have) throws IOException {
        save(file(downloadFolder, infoHash), downloadFolder, infoHash, info, have, true);
    }

    /**
     * Saves {@code have}, a snapshot the caller took before this call, for the files of
     * {@code info} below {@code downloadFolder}, to {@code resumeFile}.
     *
     * @param cleanClose whether the torrent's storage is closed and no write can follow this save
     */
    public static void save(Path resumeFile, Path downloadFolder, InfoHash infoHash, InfoDict info, BitSet have,
                            boolean cleanClose) throws IOException {
        List<FileEntry> files = info.files();
        // Durable first: every piece in the snapshot was written before it was verified, so once
        // its files are fsynced it is on disk for good (fsync covers every write to the file,
        // whichever descriptor made it: the storage's own handles, direct writes included).
        for (FileEntry f : files) {
            Path p = f.resolveIn(downloadFolder);
            if (f.isPadding() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
            try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                c.force(true);
            }
        }
        // The part file holds bytes of verified pieces too (those in left-out files).
        Path parts = PartFile.path(downloadFolder, infoHash);
        if (Files.isRegularFile(parts, LinkOption.NOFOLLOW_LINKS)) {
            try (FileChannel c = FileChannel.open(parts, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                c.force(true);
            }
        }
        AtomicFile.write(resumeFile, encode(infoHash, info, have, cleanClose, stamps(downloadFolder, infoHash, files)));
    }

    /** {@link #load(Path, Path, InfoHash, InfoDict)} from the download folder's resume file ({@link #file}). */
    public static Optional<Loaded> load(Path downloadFolder, InfoHash infoHash, InfoDict info) {
        return load(file(downloadFolder, infoHash), downloadFolder, infoHash, info);
    }

    /**
     * The pieces a resume file vouches for (see the class comment for the rules), if there is one
     * for this torrent and it is intact; otherwise empty (re-check instead). Never throws.
     */
    public static Optional<Loaded> load(Path resumeFile, Path downloadFolder, InfoHash infoHash, InfoDict info) {
        int pieces = info.pieceCount();
        int files = info.files().size();
        int bitfieldLength = (pieces + 7) / 8;
        long v1Length = 4 + 20 + 4 + bitfieldLength + 4 + 16L * files + 8;
        long v2Length = v1Length + 1 + 16; // the flags byte and the part file's stamp
        byte[] saved;
        try {
            // Only a file of one of the two possible sizes is read at all: a foreign or damaged
            // file costs no more memory than a good one.
            long size = Files.size(resumeFile);
            if (size != v1Length && size != v2Length) return Optional.empty();
            saved = readExactly(resumeFile, (int) size);
            if (saved == null) return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(saved);
        CRC32 crc = new CRC32();
        crc.update(saved, 0, saved.length - 8);
        if (in.getLong(saved.length - 8) != crc.getValue()) return Optional.empty();
        int magic = in.getInt();
        boolean cleanClose;
        if (magic == MAGIC_V1 && saved.length == v1Length) {
            cleanClose = true;
        } else if (magic == MAGIC_V2 && saved.length == v2Length) {
            cleanClose = false; // read below, after the fields before it
        } else {
            return Optional.empty();
        }
        byte[] hash = new byte[20];
        in.get(hash);
        if (!Arrays.equals(hash, infoHash.bytes()) || in.getInt() != pieces) return Optional.empty();
        if (magic == MAGIC_V2) {
            int flags = in.get();
            if ((flags & ~FLAG_CLEAN_CLOSE) != 0) return Optional.empty();
            cleanClose = (flags & FLAG_CLEAN_CLOSE) != 0;
        }
        byte[] bits = new byte[bitfieldLength];
        in.get(bits);
        // JTR1 knew no part file: its record ends with the files, and there was none.
        int stamped = magic == MAGIC_V1 ? files : files + 1;
        if (in.getInt() != stamped) return Optional.empty();
        long[] recorded = new long[2 * files + 2];
        Arrays.fill(recorded, -1);
        for (int i = 0; i < 2 * stamped; i++) recorded[i] = in.getLong();
        BitSet have = new BitSet(pieces);
        for (int p = 0; p < pieces; p++) if ((bits[p >> 3] & (0x80 >>> (p & 7))) != 0) have.set(p);

        long[] now;
        try {
            now = stamps(downloadFolder, infoHash, info.files());
        } catch (IOException e) {
            return Optional.empty();
        }
        boolean unchanged = Arrays.equals(recorded, now);
        if (!unchanged && cleanClose) return Optional.empty();
        // Unchanged files need the check too: a record (forged, as ours never are) could claim
        // pieces beyond the files it describes; those are never trusted. An absent file's bytes
        // are in the part file: trusted only while nothing changed since the save.
        boolean partFileVouches = unchanged && now[2 * files] >= 0;
        return Optional.of(new Loaded(stillCovered(info.layout(), have, recorded, now, partFileVouches), !unchanged));
    }

    /**
     * The saved pieces still trusted: those whose every file is at least as long as recorded (not
     * shrunk, not deleted) and covers the piece.
     */
    private static BitSet stillCovered(PieceLayout layout, BitSet have, long[] recorded, long[] now, boolean partFileVouches) {
        BitSet kept = new BitSet(layout.pieceCount());
        for (int piece = have.nextSetBit(0); piece >= 0; piece = have.nextSetBit(piece + 1)) {
            boolean trusted = true;
            for (FileSlice slice : layout.slices(piece)) {
                if (slice.padding()) continue;
                long sizeThen = recorded[2 * slice.file()];
                long sizeNow = now[2 * slice.file()];
                if (sizeNow < 0 && sizeThen < 0 && partFileVouches) continue; // left out: its bytes are in the part file
                if (sizeNow < sizeThen || sizeNow < slice.fileOffset() + slice.length()) {
                    trusted = false;
                    break;
                }
            }
            if (trusted) kept.set(piece);
        }
        return kept;
    }

    /** The file's bytes if it has exactly {@code length} of them, else null (it changed under us). */
    /**
     * Whether a resume file was saved at a clean close, from its header alone; empty if there is no
     * such file or its header is not one of ours. The rest is checked by {@link #load}.
     */
    public static Optional<Boolean> savedAtCleanClose(Path resumeFile) {
        try (InputStream in = Files.newInputStream(resumeFile, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer header = ByteBuffer.wrap(in.readNBytes(4 + 20 + 4 + 1));
            if (header.remaining() < 4) return Optional.empty();
            int magic = header.getInt();
            if (magic == MAGIC_V1) return Optional.of(true);
            if (magic != MAGIC_V2 || header.remaining() < 20 + 4 + 1) return Optional.empty();
            return Optional.of((header.get(4 + 20 + 4) & FLAG_CLEAN_CLOSE) != 0);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] readExactly(Path file, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(length);
            return bytes.length == length && in.read() < 0 ? bytes : null;
        }
    }

    /**
     * Size and mtime (ns) of each file, then of the part file; -1 and -1 for one that does not
     * exist; padding files count as absent.
     */
    private static long[] stamps(Path folder, InfoHash infoHash, List<FileEntry> files) throws IOException {
        long[] stamps = new long[files.size() * 2 + 2];
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            stamp(f.isPadding() ? null : f.resolveIn(folder), stamps, 2 * i);
        }
        stamp(PartFile.path(folder, infoHash), stamps, 2 * files.size());
        return stamps;
    }

    private static void stamp(Path file, long[] stamps, int at) throws IOException {
        stamps[at] = -1;
        stamps[at + 1] = -1;
        if (file == null) return;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            stamps[at] = a.size();
            stamps[at + 1] = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (NoSuchFileException e) {
            // absent: recorded as such, and must still be absent to match
        }
    }

    private static byte[] encode(InfoHash infoHash, InfoDict info, BitSet have, boolean cleanClose, long[] stamps)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC_V2);
        out.write(infoHash.bytes());
        out.writeInt(info.pieceCount());
        out.writeByte(cleanClose ? FLAG_CLEAN_CLOSE : 0);
        byte[] bits = new byte[(info.pieceCount() + 7) / 8];
        have.stream().filter(p -> p < info.pieceCount()).forEach(p -> bits[p >> 3] |= (byte) (0x80 >>> (p & 7)));
        out.write(bits);
        out.writeInt(stamps.length / 2);
        for (long s : stamps) out.writeLong(s);
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        return bytes.toByteArray();
    }
}
