package org.jtorrent.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;

/**
 * Fast resume: which pieces were verified, saved when a download closes cleanly, so the next start
 * can skip re-hashing the whole torrent. Trusted only while every file still has the size and
 * modification time recorded with it: any write after the save (ours, in a run that was then
 * killed, or anyone else's) changes a modification time and sends the next start back to the full
 * re-check. So a stale or foreign resume file costs a re-check, never a wrong "have".
 *
 * <p>Saving: the data files are fsynced first (a resume file must never outlive the data it
 * vouches for), then the resume file is written to a new temporary file (never through a symbolic
 * link), fsynced and renamed over the old one atomically. Format: magic, info-hash, piece count, bitfield, per file (size, mtime in
 * ns; -1 for a file that does not exist), then the same for the part file ({@link PartFile}: the
 * bytes of left-out files that verified pieces hold), and a CRC-32 of all that, so a damaged file
 * is ignored. It lives in the download folder as {@code .<info-hash>.jtorrent-resume}.
 */
public final class ResumeData {
    private static final int MAGIC = 0x4a545231; // "JTR1"

    private ResumeData() {
    }

    public static Path file(Path downloadFolder, InfoHash infoHash) {
        return downloadFolder.resolve("." + infoHash.hex() + ".jtorrent-resume");
    }

    /** Saves {@code have} for the files of {@code info} below {@code downloadFolder}. */
    public static void save(Path downloadFolder, InfoHash infoHash, InfoDict info, BitSet have) throws IOException {
        List<FileEntry> files = info.files();
        for (FileEntry f : files) {
            Path p = f.resolveIn(downloadFolder);
            if (f.isPadding() || !Files.isRegularFile(p)) continue;
            try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                c.force(true);
            }
        }
        Path parts = PartFile.path(downloadFolder, infoHash);
        if (Files.isRegularFile(parts, LinkOption.NOFOLLOW_LINKS)) {
            try (FileChannel c = FileChannel.open(parts, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                c.force(true);
            }
        }
        byte[] body = encode(infoHash, info, have, stamps(downloadFolder, infoHash, files));
        Path target = file(downloadFolder, infoHash);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        // Never through a link: whatever is at the temporary name (a leftover, or a symlink planted
        // to redirect our write) is removed, not followed, and CREATE_NEW (O_EXCL) refuses to
        // follow one planted between the delete and the open.
        Files.deleteIfExists(temp);
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(body);
            while (b.hasRemaining()) c.write(b);
            c.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The pieces a resume file vouches for, if there is one for this torrent, it is intact, and
     * every file's size and modification time still match; otherwise empty (re-check instead).
     */
    public static Optional<BitSet> load(Path downloadFolder, InfoHash infoHash, InfoDict info) {
        byte[] saved;
        try {
            saved = Files.readAllBytes(file(downloadFolder, infoHash));
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            long[] now = stamps(downloadFolder, infoHash, info.files());
            byte[] expectedPrefix = encodeWithoutHave(infoHash, info.pieceCount());
            int bitfieldLength = (info.pieceCount() + 7) / 8;
            int stampsLength = 4 + now.length * 8;
            if (saved.length != expectedPrefix.length + bitfieldLength + stampsLength + 8) return Optional.empty();
            if (!Arrays.equals(saved, 0, expectedPrefix.length, expectedPrefix, 0, expectedPrefix.length)) return Optional.empty();
            CRC32 crc = new CRC32();
            crc.update(saved, 0, saved.length - 8);
            ByteBuffer in = ByteBuffer.wrap(saved);
            if (in.getLong(saved.length - 8) != crc.getValue()) return Optional.empty();
            in.position(expectedPrefix.length);
            byte[] bits = new byte[bitfieldLength];
            in.get(bits);
            if (in.getInt() != now.length / 2) return Optional.empty();
            for (long stamp : now) if (in.getLong() != stamp) return Optional.empty();
            BitSet have = new BitSet(info.pieceCount());
            for (int p = 0; p < info.pieceCount(); p++) if ((bits[p >> 3] & (0x80 >>> (p & 7))) != 0) have.set(p);
            return Optional.of(have);
        } catch (IOException e) {
            return Optional.empty();
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

    private static byte[] encodeWithoutHave(InfoHash infoHash, int pieceCount) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.write(infoHash.bytes());
        out.writeInt(pieceCount);
        return bytes.toByteArray();
    }

    private static byte[] encode(InfoHash infoHash, InfoDict info, BitSet have, long[] stamps) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(encodeWithoutHave(infoHash, info.pieceCount()));
        byte[] bits = new byte[(info.pieceCount() + 7) / 8];
        have.stream().forEach(p -> bits[p >> 3] |= (byte) (0x80 >>> (p & 7)));
        out.write(bits);
        out.writeInt(stamps.length / 2);
        for (long s : stamps) out.writeLong(s);
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        return bytes.toByteArray();
    }
}
