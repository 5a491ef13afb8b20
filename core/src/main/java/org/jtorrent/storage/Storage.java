package org.jtorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.List;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.PieceLayout.FileSlice;

/**
 * A torrent's files on disk, addressed by piece: the mapping comes from {@link PieceLayout}, the I/O
 * is positional ({@code FileChannel.read/write(buf, position)}), so threads never share a file
 * position or a lock. Padding files (BEP 47) are never created or written; they read as zeros.
 * Files are created on first write and sparse, except empty files, which {@link #open} creates.
 * Writes go around the page cache where they can ({@link DirectWriter}); reads go through it.
 */
public final class Storage implements AutoCloseable {

    /**
     * @param openFileCap  how many files stay open at once (LRU beyond that) when the storage has
     *                     resources of its own ({@link #open(InfoDict, Path, Options)}); on shared
     *                     {@link DiskResources}, their cap counts instead
     * @param opener       how a file is opened; tests inject failures here
     * @param directWrites write around the page cache where the file system allows ({@link DirectWriter})
     * @param flushEvery   flush a file in the background after this many bytes written to it; 0: only
     *                     at close ({@link BackgroundFlush})
     */
    public record Options(int openFileCap, ChannelOpener opener, boolean directWrites, long flushEvery) {
        public static final Options DEFAULT = new Options(64, ChannelOpener.DEFAULT, true, 64L << 20);

        public Options withOpenFileCap(int cap) {
            return new Options(cap, opener, directWrites, flushEvery);
        }

        public Options withOpener(ChannelOpener opener) {
            return new Options(openFileCap, opener, directWrites, flushEvery);
        }

        public Options withDirectWrites(boolean direct) {
            return new Options(openFileCap, opener, direct, flushEvery);
        }

        public Options withFlushEvery(long bytes) {
            return new Options(openFileCap, opener, directWrites, bytes);
        }
    }

    private final InfoDict info;
    private final PieceLayout layout;
    private final DownloadFolder folder;
    private final DiskResources resources;
    private final boolean ownsResources;
    private final FileHandles.Group handles;
    private final DirectWriter direct;
    private final BackgroundFlush flush;
    /** Memory users of this torrent (partial pieces, read cache): they give it all back at close. */
    private final List<MemoryBudget.Holder> memoryHolders = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ChannelOpener opener;
    private final Path[] paths; // prepared lazily: creating directories only when a file is written
    private final boolean[] exists;
    private volatile boolean closed;

    private Storage(InfoDict info, DownloadFolder folder, Options options, DiskResources resources, boolean ownsResources) {
        this.info = info;
        this.resources = resources;
        this.ownsResources = ownsResources;
        this.layout = info.layout();
        this.folder = folder;
        this.opener = options.opener();
        this.paths = new Path[info.files().size()];
        this.exists = new boolean[info.files().size()];
        this.handles = resources.files().group(this::openFile);
        this.flush = new BackgroundFlush(handles, paths.length, options.flushEvery(), resources.flushes());
        this.direct = new DirectWriter(options.directWrites() ? blockSize(folder.root()) : 0,
                resources.files().group(this::openDirect), resources.staging());
    }

    /** The file system's block size, the alignment direct I/O needs; 0 when it will not say. */
    private static int blockSize(Path folder) {
        try {
            long size = Files.getFileStore(folder).getBlockSize();
            return size > 0 && size <= Integer.MAX_VALUE ? (int) size : 0;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /**
     * Opens one torrent on disk resources of its own (files capped at {@link Options#openFileCap},
     * closed with the storage): for a program with one torrent. A session shares one
     * {@link DiskResources} among all of its torrents instead ({@link #open(InfoDict, Path, Options, DiskResources)}).
     */
    public static Storage open(InfoDict info, Path downloadFolder, Options options) throws StorageException {
        DiskResources own = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(options.openFileCap()));
        try {
            return open(info, downloadFolder, options, own, true);
        } catch (StorageException | RuntimeException e) {
            closeQuietly(own);
            throw e;
        }
    }

    /**
     * Opens the torrent below {@code downloadFolder} on the session's shared {@code resources},
     * creating the folder and the empty files. Closing the storage leaves the resources open.
     */
    public static Storage open(InfoDict info, Path downloadFolder, Options options, DiskResources resources)
            throws StorageException {
        return open(info, downloadFolder, options, resources, false);
    }

    private static Storage open(InfoDict info, Path downloadFolder, Options options, DiskResources resources,
                                boolean ownsResources) throws StorageException {
        try {
            Storage s = new Storage(info, new DownloadFolder(downloadFolder), options, resources, ownsResources);
            List<FileEntry> files = info.files();
            for (int i = 0; i < files.size(); i++) {
                FileEntry f = files.get(i);
                if (f.length() == 0 && !f.isPadding()) {
                    Path p = s.path(i);
                    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) options.opener().open(p).close();
                }
            }
            return s;
        } catch (IOException e) {
            throw StorageException.of("creating files in", downloadFolder, e);
        }
    }

    public InfoDict info() {
        return info;
    }

    public Path folder() {
        return folder.root();
    }

    /**
     * Whether {@link #close} was called: I/O failing after it was cut short by the owner stopping
     * the torrent, which is no disk error.
     */
    public boolean isClosed() {
        return closed;
    }

    /** The disk resources this storage runs on, shared or its own. */
    public DiskResources resources() {
        return resources;
    }

    /** Registers a user of this torrent's memory with the budget; it gives everything back at {@link #close}. */
    void holdMemory(MemoryBudget.Holder holder) {
        memoryHolders.add(holder);
        resources.memory().register(holder);
    }

    /** Writes bytes at {@code pieceOffset} inside {@code piece}; runs over padding are skipped. */
    public void write(int piece, int pieceOffset, ByteBuffer data) throws StorageException {
        long start = layout.pieceOffset(piece) + pieceOffset;
        for (FileSlice slice : layout.slices(start, data.remaining())) {
            if (slice.padding()) continue;
            ByteBuffer run = data.slice(data.position() + slice.pieceOffset(), slice.length());
            try (FileHandles.Lease lease = handles.acquire(slice.file())) {
                direct.write(slice.file(), run, slice.fileOffset(), lease.channel());
                exists[slice.file()] = true;
                flush.wrote(slice.file(), slice.length());
            } catch (IOException e) {
                throw failed("writing", slice.file(), e);
            }
        }
        data.position(data.limit());
    }

    /**
     * Starts pushing everything written so far to stable storage and returns at once: called when
     * the download completes, so the fsync that closing must do (before resume data may vouch for
     * the pieces) runs while the rest of the download shuts down.
     */
    public void flushInBackground() {
        flush.flushAll();
    }

    /**
     * Fills {@code into} from {@code pieceOffset} inside {@code piece}. Returns false when a file is
     * missing or shorter than the range: the data is not there (yet), which is no error.
     */
    public boolean read(int piece, int pieceOffset, ByteBuffer into) throws StorageException {
        long start = layout.pieceOffset(piece) + pieceOffset;
        int base = into.position();
        for (FileSlice slice : layout.slices(start, into.remaining())) {
            ByteBuffer run = into.slice(base + slice.pieceOffset(), slice.length());
            if (slice.padding()) {
                while (run.hasRemaining()) run.put((byte) 0);
                continue;
            }
            if (!existsOnDisk(slice.file())) return false;
            try (FileHandles.Lease lease = handles.acquire(slice.file())) {
                FileChannel ch = lease.channel();
                long position = slice.fileOffset();
                while (run.hasRemaining()) {
                    int n = ch.read(run, position);
                    if (n < 0) return false;
                    position += n;
                }
            } catch (IOException e) {
                throw failed("reading", slice.file(), e);
            }
        }
        into.position(into.limit());
        return true;
    }

    /**
     * The pieces whose every byte lies inside a file on disk, at the file sizes seen now: the only
     * pieces that can be complete. Each file is looked at once.
     */
    public BitSet piecesOnDisk() throws StorageException {
        List<FileEntry> files = info.files();
        long[] sizeOnDisk = new long[files.size()];
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).isPadding()) continue; // reads as zeros, never on disk
            try {
                Path p = path(i);
                sizeOnDisk[i] = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : -1;
            } catch (IOException e) {
                throw StorageException.of("opening", files.get(i).displayPath(), e);
            }
        }
        BitSet present = new BitSet(layout.pieceCount());
        for (int piece = 0; piece < layout.pieceCount(); piece++) {
            boolean all = true;
            for (FileSlice slice : layout.slices(piece)) {
                if (!slice.padding() && sizeOnDisk[slice.file()] < slice.fileOffset() + slice.length()) {
                    all = false;
                    break;
                }
            }
            if (all) present.set(piece);
        }
        return present;
    }

    /**
     * A direct buffer of {@code size} bytes to assemble a piece in, aligned so that {@link #write}
     * can hand it to the disk without copying it first (direct I/O wants aligned memory).
     */
    public ByteBuffer allocatePieceBuffer(int size) {
        return direct.allocate(size);
    }

    /**
     * Feeds a piece from disk to {@code digest}, {@code chunk.capacity()} bytes at a time through
     * {@code chunk}: memory stays at one chunk, whatever the piece size (pieces of up to 1 GiB are
     * valid, and several hash at once). Returns false, the digest part-fed, when the piece's data
     * is not all on disk.
     */
    public boolean digestPiece(int piece, MessageDigest digest, ByteBuffer chunk) throws StorageException {
        int size = layout.pieceSize(piece);
        for (int done = 0; done < size; ) {
            int length = Math.min(chunk.capacity(), size - done);
            chunk.clear().limit(length);
            if (!read(piece, done, chunk)) return false;
            digest.update(chunk.flip());
            done += length;
        }
        return true;
    }

    /**
     * The error for a failed read or write of {@code file}; its channel leaves the shared pool, so
     * that a channel left unusable (or open on a file deleted since) is not lent again.
     */
    private StorageException failed(String action, int file, IOException e) {
        try {
            handles.evict(file);
        } catch (IOException closing) {
            e.addSuppressed(closing);
        }
        return StorageException.of(action, info.files().get(file).displayPath(), e);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing: the first error is the one to report
        }
    }

    private boolean existsOnDisk(int file) throws StorageException {
        if (exists[file]) return true;
        try {
            exists[file] = Files.exists(path(file), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw StorageException.of("opening", info.files().get(file).displayPath(), e);
        }
        return exists[file];
    }

    private synchronized Path path(int file) throws IOException {
        if (paths[file] == null) paths[file] = folder.prepare(info.files().get(file));
        return paths[file];
    }

    private FileChannel openFile(int file) throws IOException {
        return opener.open(path(file));
    }

    private FileChannel openDirect(int file) throws IOException {
        FileChannel channel = opener.openDirect(path(file));
        if (channel == null) throw new DirectWriter.Unsupported();
        return channel;
    }

    /** Whether writes still go around the page cache (false once the file system refused). */
    boolean writesDirectly() {
        return direct.enabled();
    }

    /** Staging buffers made so far: what direct writes from unaligned memory cost. */
    int stagingBuffers() {
        return direct.stagingBuffers();
    }

    int openFileCount() {
        return handles.openCount();
    }

    int filesOpenedTotal() {
        return handles.openedTotal();
    }

    /**
     * Closes this torrent's files and gives its memory back to the budget; shared resources stay
     * open for the other torrents (resources of its own are closed too).
     */
    @Override
    public void close() throws IOException {
        closed = true;
        flush.close();
        for (MemoryBudget.Holder holder : memoryHolders) {
            resources.memory().unregister(holder);
            holder.releaseAll();
        }
        memoryHolders.clear();
        try (direct) {
            handles.close();
        } finally {
            if (ownsResources) resources.close();
        }
    }
}
