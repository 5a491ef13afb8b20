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
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.metainfo.PieceLayout.FileSlice;
import org.jtorrent.metainfo.Priorities;

/**
 * A torrent's files on disk, addressed by piece: the mapping comes from {@link PieceLayout}, the I/O
 * is positional ({@code FileChannel.read/write(buf, position)}), so threads never share a file
 * position or a lock. Padding files (BEP 47) are never created or written; they read as zeros.
 * Files are created on first write and sparse, except empty files, which {@link #open} creates.
 * Writes go around the page cache where they can ({@link DirectWriter}); reads go through it.
 *
 * <p>File priorities ({@link #filePriorities}): a file at priority 0 that is not on disk is never
 * created; the bytes of it that a wanted piece holds (a piece it shares with a wanted file) go to
 * the {@link PartFile} and are read back from there, for hashing, serving and re-checks. When such
 * a file is selected, its bytes move from the part file into the file, so nothing verified is
 * fetched again. A file that is on disk stays in use when its priority drops to 0 (as libtorrent
 * does): it is not moved into the part file. So a file's bytes are in the part file exactly while
 * it is unwanted and absent.
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
    /**
     * Priorities, the files whose bytes live in the part file, and the part file itself: set in
     * {@link #open}, changed by {@link #filePriorities} under the selection's write lock, read by
     * every read and write under its read lock, so no byte is routed by a half-made change.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock selection = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private int[] filePriorities;
    private boolean[] inPartFile;
    private PartFile partFile; // null: opened without an info-hash, every file stays wanted

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
     * closed with the storage), every file wanted: for a program with one torrent. A session
     * shares one {@link DiskResources} among all of its torrents instead.
     */
    public static Storage open(InfoDict info, Path downloadFolder, Options options) throws StorageException {
        return open(info, downloadFolder, options, null, null);
    }

    /** Opens the torrent on the session's shared {@code resources}, every file wanted and no part file. */
    public static Storage open(InfoDict info, Path downloadFolder, Options options, DiskResources resources)
            throws StorageException {
        return open(info, downloadFolder, options, resources, false, null, null);
    }

    /** {@link #open(InfoDict, Path, Options, DiskResources, InfoHash, int[])} on resources of its own. */
    public static Storage open(InfoDict info, Path downloadFolder, Options options, InfoHash infoHash, int[] filePriorities)
            throws StorageException {
        DiskResources own = new DiskResources(DiskResources.Config.DEFAULT.withOpenFiles(options.openFileCap()));
        try {
            return open(info, downloadFolder, options, own, true, infoHash, filePriorities);
        } catch (StorageException | RuntimeException e) {
            closeQuietly(own);
            throw e;
        }
    }

    /**
     * Opens the torrent below {@code downloadFolder} on the session's shared {@code resources} with
     * these file priorities (null: every file at the default): the folder and the empty wanted files
     * are created; bytes that unwanted files hold in a part file from an earlier run move into files
     * now wanted. {@code infoHash} names the part file ({@link PartFile}); null: no part file, and no
     * file may be unwanted. Closing the storage leaves shared resources open.
     */
    public static Storage open(InfoDict info, Path downloadFolder, Options options, DiskResources resources,
                               InfoHash infoHash, int[] filePriorities) throws StorageException {
        return open(info, downloadFolder, options, resources, false, infoHash, filePriorities);
    }

    private static Storage open(InfoDict info, Path downloadFolder, Options options, DiskResources resources,
                                boolean ownsResources, InfoHash infoHash, int[] filePriorities) throws StorageException {
        Storage s = null;
        try {
            s = new Storage(info, new DownloadFolder(downloadFolder), options, resources, ownsResources);
            if (infoHash != null) s.partFile = s.openPartFile(infoHash);
            // Until the priorities are applied, an absent file's bytes may be in the part file from
            // an earlier run: applying them moves those of wanted files into place.
            s.inPartFile = new boolean[info.files().size()];
            for (int f = 0; f < s.inPartFile.length; f++) {
                FileEntry e = info.files().get(f);
                s.inPartFile[f] = s.partFile != null && !e.isPadding() && e.length() > 0 && !s.onDiskUncreated(f);
            }
            s.filePriorities = Priorities.allFiles(info.layout(), Priorities.DEFAULT);
            s.filePriorities(filePriorities != null ? filePriorities : s.filePriorities);
            return s;
        } catch (IOException e) {
            if (s != null) closeQuietly(s);
            if (e instanceof StorageException se) throw se;
            throw StorageException.of("creating files in", downloadFolder, e);
        }
    }

    /**
     * The part file lies in the folder itself, where only a single-file torrent's file could clash
     * with it, and such a file would have to be named after the info-hash of the torrent that names
     * it: it cannot be one of the torrent's files.
     */
    private PartFile openPartFile(InfoHash infoHash) throws IOException {
        return PartFile.open(PartFile.path(folder.root(), infoHash), layout);
    }

    private static void closeQuietly(Storage s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /**
     * Applies file priorities (0..7, one per file; 0 = do not download). A file going to 0 that is
     * not on disk is not created; its bytes go to the part file from now on. A file leaving 0 whose
     * bytes are in the part file gets them now (created if need be), so the pieces it shares stay
     * verified. Empty wanted files are created. Parts no longer needed are freed. Waits for the
     * reads and writes under way; none start meanwhile.
     */
    public void filePriorities(int[] priorities) throws StorageException {
        int[] levels = Priorities.checkFiles(layout, priorities);
        List<FileEntry> files = info.files();
        selection.writeLock().lock();
        try {
            for (int file = 0; file < files.size(); file++) {
                FileEntry f = files.get(file);
                if (f.isPadding()) continue;
                boolean wanted = levels[file] > Priorities.SKIP;
                if (wanted && inPartFile[file]) {
                    moveOutOfPartFile(file);
                    inPartFile[file] = false;
                } else if (!wanted && !inPartFile[file] && f.length() > 0 && !onDiskUncreated(file)) {
                    if (partFile == null) throw new StorageException("cannot leave out " + f.displayPath() + ": no part file");
                    inPartFile[file] = true;
                }
                if (wanted && f.length() == 0) createEmpty(file);
            }
            freeUnneededParts();
            filePriorities = levels;
        } catch (IOException e) {
            if (e instanceof StorageException se) throw se;
            throw StorageException.of("applying file priorities in", folder.root(), e);
        } finally {
            selection.writeLock().unlock();
        }
    }

    /** The file priorities in force (a copy). */
    public int[] filePriorities() {
        selection.readLock().lock();
        try {
            return filePriorities.clone();
        } finally {
            selection.readLock().unlock();
        }
    }

    /** Whether the file is on disk, looked up without creating a directory on the way. */
    private boolean onDiskUncreated(int file) {
        return Files.exists(info.files().get(file).resolveIn(folder.root()), LinkOption.NOFOLLOW_LINKS);
    }

    private void createEmpty(int file) throws IOException {
        Path p = path(file);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) opener.open(p).close();
    }

    /** Copies the file's runs of every piece kept in the part file into the file itself. */
    private void moveOutOfPartFile(int file) throws IOException {
        if (partFile == null) return;
        int[] range = layout.pieceRange(file);
        for (int piece : partFile.pieces().subSet(range[0], range[1])) {
            for (FileSlice slice : layout.slices(piece)) {
                if (slice.file() != file) continue;
                ByteBuffer run = ByteBuffer.allocate(slice.length());
                if (!partFile.read(piece, slice.pieceOffset(), run)) continue; // never written: nothing to keep
                writeFile(file, run.flip(), slice.fileOffset());
            }
        }
    }

    /** Frees the slots of pieces that no longer hold a byte of a file living in the part file. */
    private void freeUnneededParts() throws IOException {
        if (partFile == null) return;
        for (int piece : partFile.pieces()) {
            boolean needed = false;
            for (FileSlice slice : layout.slices(piece)) needed |= !slice.padding() && inPartFile[slice.file()];
            if (!needed) partFile.free(piece);
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

    /**
     * Writes bytes at {@code pieceOffset} inside {@code piece}; runs over padding are skipped, runs
     * in files left out go to the part file.
     */
    public void write(int piece, int pieceOffset, ByteBuffer data) throws StorageException {
        long start = layout.pieceOffset(piece) + pieceOffset;
        selection.readLock().lock();
        try {
            for (FileSlice slice : layout.slices(start, data.remaining())) {
                if (slice.padding()) continue;
                ByteBuffer run = data.slice(data.position() + slice.pieceOffset(), slice.length());
                try {
                    if (inPartFile[slice.file()]) partFile.write(piece, pieceOffset + slice.pieceOffset(), run);
                    else writeFile(slice.file(), run, slice.fileOffset());
                } catch (IOException e) {
                    throw inPartFile[slice.file()] ? StorageException.of("writing", info.files().get(slice.file()).displayPath(), e)
                            : failed("writing", slice.file(), e);
                }
            }
        } finally {
            selection.readLock().unlock();
        }
        data.position(data.limit());
    }

    private void writeFile(int file, ByteBuffer run, long fileOffset) throws IOException {
        int length = run.remaining();
        try (FileHandles.Lease lease = handles.acquire(file)) {
            direct.write(file, run, fileOffset, lease.channel());
            exists[file] = true;
            flush.wrote(file, length);
        }
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
        selection.readLock().lock();
        try {
            for (FileSlice slice : layout.slices(start, into.remaining())) {
                ByteBuffer run = into.slice(base + slice.pieceOffset(), slice.length());
                if (slice.padding()) {
                    while (run.hasRemaining()) run.put((byte) 0);
                    continue;
                }
                try {
                    if (inPartFile[slice.file()]) {
                        if (!partFile.read(piece, pieceOffset + slice.pieceOffset(), run)) return false;
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
                    }
                } catch (IOException e) {
                    throw inPartFile[slice.file()] ? StorageException.of("reading", info.files().get(slice.file()).displayPath(), e)
                            : failed("reading", slice.file(), e);
                }
            }
        } finally {
            selection.readLock().unlock();
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
        selection.readLock().lock();
        try {
            for (int i = 0; i < files.size(); i++) {
                if (files.get(i).isPadding() || inPartFile[i]) continue; // zeros, or in the part file: never on disk
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
                    if (slice.padding()) continue;
                    boolean there = inPartFile[slice.file()] ? partFile.has(piece)
                            : sizeOnDisk[slice.file()] >= slice.fileOffset() + slice.length();
                    if (!there) {
                        all = false;
                        break;
                    }
                }
                if (all) present.set(piece);
            }
            return present;
        } finally {
            selection.readLock().unlock();
        }
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

    /** Whether the file is left out and its bytes of wanted pieces live in the part file. */
    public boolean inPartFile(int file) {
        selection.readLock().lock();
        try {
            return inPartFile[file];
        } finally {
            selection.readLock().unlock();
        }
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
        try (direct; PartFile parts = partFile) {
            handles.close();
            if (parts != null) parts.force();
        } finally {
            if (ownsResources) resources.close();
        }
    }
}
