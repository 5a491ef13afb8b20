package org.jtorrent.metainfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.jtorrent.bencode.Bencode;

/**
 * Makes a v1 .torrent from a file or a folder. Hashing runs on every core: each worker takes the
 * next piece and hashes it straight from the file mapped into memory ({@link MappedFiles}), so
 * there is no single reader to wait on and the kernel copies nothing; where files cannot be
 * mapped, a worker reads 1 MiB at a time into one buffer. Either way memory does not grow with the
 * piece length (a buffer of a whole piece per worker made {@code --piece-length 512M} fail in the
 * launcher's 256 MiB).
 */
public final class TorrentCreator {
    /** Identifies us in {@code created by}. */
    public static final String CREATED_BY = "jtorrent 0.1.0";

    private final Path source;
    private final List<List<String>> trackerTiers = new ArrayList<>();
    private final List<String> webSeeds = new ArrayList<>();
    private Integer pieceLength;
    private boolean isPrivate;
    private String comment;
    private Instant creationDate = Instant.now();
    private int threads = Runtime.getRuntime().availableProcessors();
    private LongConsumer progress = bytes -> { };
    private boolean mapFiles = Windows.AVAILABLE;

    public TorrentCreator(Path source) {
        this.source = source;
    }

    /** Adds a tier of trackers (each call is one tier, tried in order). */
    public TorrentCreator trackerTier(List<String> urls) {
        if (!urls.isEmpty()) trackerTiers.add(List.copyOf(urls));
        return this;
    }

    public TorrentCreator webSeed(String url) {
        webSeeds.add(url);
        return this;
    }

    public TorrentCreator pieceLength(int length) {
        if (!PieceLengths.isValid(length)) {
            throw new IllegalArgumentException("piece length must be a power of two from 16 KiB to 512 MiB, not " + length);
        }
        this.pieceLength = length;
        return this;
    }

    public TorrentCreator makePrivate(boolean value) {
        this.isPrivate = value;
        return this;
    }

    public TorrentCreator comment(String text) {
        this.comment = text;
        return this;
    }

    /** Fixes the creation date (for reproducible output); {@code null} leaves it out. */
    public TorrentCreator creationDate(Instant date) {
        this.creationDate = date;
        return this;
    }

    public TorrentCreator threads(int count) {
        this.threads = Math.max(1, count);
        return this;
    }

    /** Reads files with positional reads instead of mapping them (what a JDK without the mapping API does). */
    TorrentCreator readWithoutMapping() {
        this.mapFiles = false;
        return this;
    }

    /** Called from hashing threads with the number of bytes just hashed. */
    public TorrentCreator onProgress(LongConsumer bytesHashed) {
        this.progress = bytesHashed;
        return this;
    }

    /** The files to be included, in torrent order, with their sizes: known before hashing starts. */
    public record Source(String name, boolean multiFile, List<Path> files, List<List<String>> paths, long totalSize) {
    }

    public Source scan() throws IOException {
        if (!Files.exists(source)) throw new IOException("no such file or folder: " + source);
        Path absolute = source.toAbsolutePath().normalize();
        String name = absolute.getFileName() == null ? "torrent" : absolute.getFileName().toString();
        if (Files.isRegularFile(absolute)) {
            return new Source(name, false, List.of(absolute), List.of(List.of()), Files.size(absolute));
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(absolute)) {
            // Symlinks are not followed: a torrent of a folder holds what is in that folder.
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.comparing(p -> absolute.relativize(p).toString().replace('\\', '/')))
                    .toList();
        }
        if (files.isEmpty()) throw new IOException("no files in " + source);
        List<List<String>> paths = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            List<String> elements = new ArrayList<>();
            absolute.relativize(f).forEach(e -> elements.add(e.toString()));
            paths.add(elements);
            total += Files.size(f);
        }
        return new Source(name, true, files, paths, total);
    }

    /** Scans, hashes the content and returns the bencoded .torrent. */
    public byte[] create() throws IOException {
        return create(scan());
    }

    /** Hashes the content of an earlier {@link #scan()} (a caller that needs the size first scans once). */
    public byte[] create(Source src) throws IOException {
        if (src.totalSize() == 0) throw new IOException("nothing to share: every file is empty");
        int length = pieceLength != null ? pieceLength : PieceLengths.forTotalSize(src.totalSize());

        List<FileEntry> entries = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < src.files().size(); i++) {
            long size = Files.size(src.files().get(i));
            entries.add(new FileEntry(src.multiFile() ? src.paths().get(i) : List.of(src.name()), size, offset,
                    FileAttributes.NONE));
            offset += size;
        }
        if (offset != src.totalSize()) throw new IOException("files changed size while the torrent was being made");
        PieceLayout layout = new PieceLayout(offset, length, entries);
        byte[] pieces = hashPieces(src.files(), entries, layout);

        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", src.name());
        info.put("piece length", (long) length);
        info.put("pieces", pieces);
        if (src.multiFile()) {
            List<Object> files = new ArrayList<>();
            for (FileEntry e : entries) files.add(Map.of("length", e.length(), "path", e.path()));
            info.put("files", files);
        } else {
            info.put("length", offset);
        }
        if (isPrivate) info.put("private", 1L);

        Map<String, Object> torrent = new LinkedHashMap<>();
        torrent.put("info", info);
        if (!trackerTiers.isEmpty()) {
            torrent.put("announce", trackerTiers.getFirst().getFirst());
            if (trackerTiers.size() > 1 || trackerTiers.getFirst().size() > 1) torrent.put("announce-list", trackerTiers);
        }
        if (!webSeeds.isEmpty()) torrent.put("url-list", webSeeds);
        if (comment != null) torrent.put("comment", comment);
        torrent.put("created by", CREATED_BY);
        if (creationDate != null) torrent.put("creation date", creationDate.getEpochSecond());
        return Bencode.encode(torrent);
    }

    private byte[] hashPieces(List<Path> files, List<FileEntry> entries, PieceLayout layout) throws IOException {
        byte[] pieces = new byte[20 * layout.pieceCount()];
        int workers = Math.min(threads, layout.pieceCount());
        AtomicLong nextPiece = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon().name("hash-", 0).factory())) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    try (MappedFiles mapped = new MappedFiles(files, entries, mapFiles)) {
                        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                        // Pieces are handed out in order so reads stay close to sequential.
                        for (long p; (p = nextPiece.getAndIncrement()) < layout.pieceCount(); ) {
                            int piece = (int) p;
                            for (PieceLayout.FileSlice slice : layout.slices(piece)) {
                                mapped.digest(slice.file(), slice.fileOffset(), slice.length(), sha1);
                            }
                            sha1.digest(pieces, piece * 20, 20);
                            progress.accept(layout.pieceSize(piece));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
            throw new IOException("hashing failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing");
        }
        return pieces;
    }

    /**
     * What one hashing worker reads the files through: a window of one file mapped into memory, so
     * the digest reads the page cache in place. Reading into a buffer instead costs the kernel a copy
     * of every byte (a fifth of the CPU time of {@code create} on a file in the page cache; mapping
     * saves 0.6-0.9 s of the 7-7.5 s that 8 GiB takes,
     * docs/performance.md). A worker holds one window at a time and unmaps it as it moves on, so
     * mappings stay at one per worker whatever the number of files and the size of the data. Where
     * windows cannot be mapped and unmapped at will ({@link Windows}), or a file system refuses to
     * map a file, the worker reads with positional reads into a buffer instead.
     */
    private static final class MappedFiles implements AutoCloseable {
        /** Bytes mapped at a time: a few dozen pieces, so remapping costs next to nothing. */
        private static final long WINDOW = 64L << 20;
        private static final int READ_BUFFER = 1 << 20;

        private final List<Path> files;
        private final List<FileEntry> entries;
        private int openIndex = -1;
        private FileChannel channel;
        private Windows.Window window;
        private ByteBuffer readBuffer; // when not mapping

        MappedFiles(List<Path> files, List<FileEntry> entries, boolean map) {
            this.files = files;
            this.entries = entries;
            if (!map) readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
        }

        /** Feeds {@code length} bytes of {@code file} from {@code position} to {@code sha1}. */
        void digest(int file, long position, int length, MessageDigest sha1) throws IOException {
            if (file != openIndex) open(file);
            try {
                while (length > 0) {
                    int n;
                    if (readBuffer != null) {
                        n = read(file, position, Math.min(length, READ_BUFFER));
                        sha1.update(readBuffer.flip());
                    } else if (window == null || !window.covers(position)) {
                        map(file, position);
                        continue;
                    } else {
                        n = (int) Math.min(length, window.end() - position);
                        sha1.update(window.slice(position, n));
                    }
                    position += n;
                    length -= n;
                }
            } catch (InternalError e) { // the JDK's word for a fault in mapped memory: the file shrank under us
                throw new IOException(files.get(file) + " changed while the torrent was being made", e);
            }
        }

        private void open(int file) throws IOException {
            close();
            channel = FileChannel.open(files.get(file), StandardOpenOption.READ);
            openIndex = file;
        }

        private void map(int file, long position) throws IOException {
            unmap();
            long start = position - position % WINDOW;
            long end = Math.min(start + WINDOW, entries.get(file).length());
            // Mapped bytes past the end of a file fault when read: check that they are all there.
            if (channel.size() < end) throw shorter(file);
            try {
                window = Windows.map(channel, start, end - start);
            } catch (IOException | UnsupportedOperationException e) {
                readBuffer = ByteBuffer.allocateDirect(READ_BUFFER); // this file system will not map: read instead
            }
        }

        private int read(int file, long position, int length) throws IOException {
            readBuffer.clear().limit(length);
            long at = position;
            while (readBuffer.hasRemaining()) {
                int n = channel.read(readBuffer, at);
                if (n < 0) throw shorter(file);
                at += n;
            }
            return length;
        }

        private IOException shorter(int file) {
            return new IOException(files.get(file) + " is shorter than when the torrent was started");
        }

        private void unmap() {
            if (window != null) window.close();
            window = null;
        }

        @Override
        public void close() throws IOException {
            unmap();
            if (channel != null) channel.close();
            channel = null;
            openIndex = -1;
        }
    }

    /**
     * File windows mapped into a confined {@code Arena} and unmapped when it closes
     * ({@code FileChannel.map(mode, offset, size, arena)}, JDK 22 and later). A
     * {@code MappedByteBuffer} would be unmapped only when the garbage collector finds it, which in
     * a run that allocates next to nothing is never: the process would map the whole data set.
     * The API is a preview in JDK 21, which we compile for, so it is looked up at run time; on 21
     * {@link #AVAILABLE} is false and workers read instead.
     */
    private static final class Windows {
        private static final MethodHandle OF_CONFINED; // () -> Arena
        private static final MethodHandle MAP; // (FileChannel, MapMode, long, long, Arena) -> MemorySegment
        private static final MethodHandle AS_BYTE_BUFFER; // (MemorySegment) -> ByteBuffer
        static final boolean AVAILABLE;

        static {
            MethodHandle ofConfined = null;
            MethodHandle map = null;
            MethodHandle asByteBuffer = null;
            if (Runtime.version().feature() >= 22) {
                try {
                    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                    Class<?> arena = Class.forName("java.lang.foreign.Arena");
                    Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                    ofConfined = lookup.findStatic(arena, "ofConfined", MethodType.methodType(arena))
                            .asType(MethodType.methodType(AutoCloseable.class));
                    map = lookup.findVirtual(FileChannel.class, "map",
                                    MethodType.methodType(segment, FileChannel.MapMode.class, long.class, long.class, arena))
                            .asType(MethodType.methodType(Object.class, FileChannel.class, FileChannel.MapMode.class,
                                    long.class, long.class, AutoCloseable.class));
                    asByteBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class))
                            .asType(MethodType.methodType(ByteBuffer.class, Object.class));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    ofConfined = null;
                }
            }
            OF_CONFINED = ofConfined;
            MAP = map;
            AS_BYTE_BUFFER = asByteBuffer;
            AVAILABLE = ofConfined != null;
        }

        /** {@code [start, start + size)} of a file, mapped read-only, readable by this thread only. */
        record Window(AutoCloseable arena, ByteBuffer bytes, long start) {
            boolean covers(long position) {
                return position >= start && position < end();
            }

            long end() {
                return start + bytes.capacity();
            }

            ByteBuffer slice(long position, int length) {
                return bytes.slice((int) (position - start), length);
            }

            /** Unmaps it; reading it afterwards throws, it never reads freed memory. */
            void close() {
                try {
                    arena.close();
                } catch (Exception e) {
                    throw new IllegalStateException("unmapping failed", e);
                }
            }
        }

        static Window map(FileChannel channel, long start, long size) throws IOException {
            AutoCloseable arena;
            try {
                arena = (AutoCloseable) OF_CONFINED.invokeExact();
            } catch (Throwable e) {
                throw new IllegalStateException("cannot make an arena", e);
            }
            try {
                Object segment = MAP.invokeExact(channel, FileChannel.MapMode.READ_ONLY, start, size, arena);
                return new Window(arena, (ByteBuffer) AS_BYTE_BUFFER.invokeExact(segment), start);
            } catch (IOException | RuntimeException | Error e) {
                new Window(arena, ByteBuffer.allocate(0), start).close();
                throw e;
            } catch (Throwable e) {
                new Window(arena, ByteBuffer.allocate(0), start).close();
                throw new IOException("mapping failed", e);
            }
        }
    }
}
