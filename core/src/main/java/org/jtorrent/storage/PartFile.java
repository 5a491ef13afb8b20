package org.jtorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.SortedSet;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.PieceLayout;

/**
 * Where the bytes of unwanted files go when a piece we download also holds bytes of them (a piece
 * that straddles a wanted and an unwanted file, as libtorrent's part file): they are needed to
 * verify and serve the piece, but the unwanted file must not appear in the download folder.
 *
 * <p>One hidden file per torrent, {@code .<info-hash>.jtorrent-parts}, beside the resume file in
 * the download folder (never one of the torrent's own file names: those of a multi-file torrent lie
 * below its name, and a single file would have to be named after its own info-hash). Layout: a header, then one slot of a piece length per
 * piece kept. Header: magic {@code JTP1}, piece length, piece count (4 bytes each), then one
 * 4-byte entry per slot holding piece + 1 (0: free), padded to 4 KiB. A piece's bytes sit in its
 * slot at their offset in the piece; only the runs that fall in unwanted files are ever written.
 * The file is sparse and created on the first write; it is deleted when its last slot is freed.
 *
 * <p>Untrusted on load: a header for another layout is ignored (the file is started afresh), and
 * an entry out of range or naming a piece twice is dropped. Whatever it holds is only believed
 * after the piece hashes: a damaged part file costs a re-download of the pieces it held, never
 * wrong data. Thread-safe: slots are allocated under a lock, the I/O is positional.
 */
final class PartFile implements AutoCloseable {
    private static final int MAGIC = 0x4a545031; // "JTP1"
    private static final int FIXED_HEADER = 12;

    private final Path path;
    private final int pieceLength;
    private final int pieceCount;
    private final long headerSize;
    private final Map<Integer, Integer> slotOf = new HashMap<>();
    private final BitSet usedSlots = new BitSet();
    private FileChannel channel; // opened on first use
    private boolean headerValid; // the file on disk has our header

    static Path path(Path downloadFolder, InfoHash infoHash) {
        return downloadFolder.resolve("." + infoHash.hex() + ".jtorrent-parts");
    }

    private PartFile(Path path, PieceLayout layout) {
        this.path = path;
        this.pieceLength = layout.pieceLength();
        this.pieceCount = layout.pieceCount();
        long entries = FIXED_HEADER + 4L * pieceCount;
        this.headerSize = (entries + 4095) / 4096 * 4096;
    }

    /** The part file at {@code path}, with the slots its header names (none if it is absent or not ours). */
    static PartFile open(Path path, PieceLayout layout) throws IOException {
        PartFile p = new PartFile(path, layout);
        p.load();
        return p;
    }

    Path path() {
        return path;
    }

    private void load() throws IOException {
        if (Files.isSymbolicLink(path)) throw new StorageException(path + " is a symbolic link; refusing to use it as the part file");
        FileChannel c;
        try {
            c = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        try (c) {
            ByteBuffer head = ByteBuffer.allocate(FIXED_HEADER);
            readFully(c, head, 0);
            if (head.hasRemaining() || head.getInt(0) != MAGIC || head.getInt(4) != pieceLength || head.getInt(8) != pieceCount) {
                return; // not ours (or another layout): started afresh on the first write
            }
            headerValid = true;
            ByteBuffer table = ByteBuffer.allocate(4 * pieceCount);
            readFully(c, table, FIXED_HEADER);
            for (int slot = 0; slot < table.position() / 4; slot++) {
                int piece = table.getInt(4 * slot) - 1;
                if (piece < 0 || piece >= pieceCount || slotOf.containsKey(piece)) continue;
                slotOf.put(piece, slot);
                usedSlots.set(slot);
            }
        }
    }

    private static void readFully(FileChannel c, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = c.read(into, position);
            if (n < 0) return;
            position += n;
        }
    }

    synchronized boolean has(int piece) {
        return slotOf.containsKey(piece);
    }

    /** The pieces kept here, in order. */
    synchronized SortedSet<Integer> pieces() {
        return new TreeSet<>(slotOf.keySet());
    }

    /** Writes {@code data} at {@code pieceOffset} in the piece's slot, taking a slot if it has none. */
    void write(int piece, int pieceOffset, ByteBuffer data) throws IOException {
        long position = slotStart(piece, true) + pieceOffset;
        FileChannel c = channel();
        while (data.hasRemaining()) position += c.write(data, position);
    }

    /** Fills {@code into} from {@code pieceOffset} in the piece's slot; false if the piece has none or its bytes were never written. */
    boolean read(int piece, int pieceOffset, ByteBuffer into) throws IOException {
        long start = slotStart(piece, false);
        if (start < 0) return false;
        FileChannel c = channel();
        long position = start + pieceOffset;
        while (into.hasRemaining()) {
            int n = c.read(into, position);
            if (n < 0) return false;
            position += n;
        }
        return true;
    }

    /** Frees the piece's slot; the file goes when no slot is left. */
    synchronized void free(int piece) throws IOException {
        Integer slot = slotOf.remove(piece);
        if (slot == null) return;
        usedSlots.clear(slot);
        if (slotOf.isEmpty()) {
            closeChannel();
            Files.deleteIfExists(path);
            headerValid = false;
            return;
        }
        channel().write(ByteBuffer.allocate(4), FIXED_HEADER + 4L * slot);
    }

    /** Pushes what was written to stable storage (before resume data may vouch for it). */
    synchronized void force() throws IOException {
        if (channel != null) channel.force(true);
    }

    private synchronized long slotStart(int piece, boolean allocate) throws IOException {
        Integer slot = slotOf.get(piece);
        if (slot == null) {
            if (!allocate) return -1;
            slot = usedSlots.nextClearBit(0);
            ByteBuffer entry = ByteBuffer.allocate(4).putInt(0, piece + 1);
            channel().write(entry, FIXED_HEADER + 4L * slot);
            slotOf.put(piece, slot);
            usedSlots.set(slot);
        }
        return headerSize + (long) slot * pieceLength;
    }

    private synchronized FileChannel channel() throws IOException {
        if (channel != null) return channel;
        if (!headerValid) {
            // Never through a link: a leftover or planted file at our name is replaced, not followed.
            Files.deleteIfExists(path);
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            ByteBuffer head = ByteBuffer.allocate(FIXED_HEADER).putInt(MAGIC).putInt(pieceLength).putInt(pieceCount).flip();
            while (head.hasRemaining()) channel.write(head, head.position());
            headerValid = true;
        } else {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        return channel;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeChannel();
    }
}
