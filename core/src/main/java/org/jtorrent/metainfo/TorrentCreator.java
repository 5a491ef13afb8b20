package org.jtorrent.metainfo;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Makes a v1 .torrent from a file or a folder. Hashing runs on every core: each worker reads its
 * own pieces with positional reads, a chunk at a time into one reused buffer, so there is no single
 * reader to wait on and memory stays at one chunk per worker, whatever the piece length.
 */
public final class TorrentCreator {
    /** Identifies us in {@code created by}. */
    public static final String CREATED_BY = "jtorrent 0.1.0";
    /**
     * Bytes read at a time: memory is one chunk per worker whatever the piece length (a whole
     * piece per worker made {@code --piece-length 512M} fail in the launcher's 256 MiB).
     */
    static final int CHUNK = 1 << 20;

    private final Path source;
    private final List<List<String>> trackerTiers = new ArrayList<>();
    private final List<String> webSeeds = new ArrayList<>();
    private Integer pieceLength;
    private boolean isPrivate;
    private String comment;
    private Instant creationDate = Instant.now();
    private int threads = Runtime.getRuntime().availableProcessors();
    private LongConsumer progress = bytes -> { };

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
        byte[] pieces = hashPieces(src.files(), layout);

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

    private byte[] hashPieces(List<Path> files, PieceLayout layout) throws IOException {
        byte[] pieces = new byte[20 * layout.pieceCount()];
        int workers = Math.min(threads, layout.pieceCount());
        AtomicLong nextPiece = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon().name("hash-", 0).factory())) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    try (OpenFiles open = new OpenFiles(files)) {
                        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                        // Direct: the kernel copies file pages straight into it. A heap buffer costs a
                        // second copy of every byte, through the JDK's temporary direct buffer.
                        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.min(CHUNK, layout.pieceLength()));
                        // Pieces are handed out in order so reads stay close to sequential.
                        for (long p; (p = nextPiece.getAndIncrement()) < layout.pieceCount(); ) {
                            int piece = (int) p;
                            for (PieceLayout.FileSlice slice : layout.slices(piece)) {
                                open.digest(slice.file(), slice.fileOffset(), slice.length(), chunk, sha1);
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

    /** The channels one hashing worker has open (one at a time: pieces move through files in order). */
    private static final class OpenFiles implements AutoCloseable {
        private final List<Path> files;
        private int openIndex = -1;
        private FileChannel channel;

        OpenFiles(List<Path> files) {
            this.files = files;
        }

        /** Feeds {@code length} bytes of {@code file} from {@code position} to {@code sha1}, a chunk at a time. */
        void digest(int file, long position, int length, ByteBuffer chunk, MessageDigest sha1) throws IOException {
            if (file != openIndex) {
                close();
                channel = FileChannel.open(files.get(file), StandardOpenOption.READ);
                openIndex = file;
            }
            long at = position;
            for (long end = position + length; at < end; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
                while (chunk.hasRemaining()) {
                    int n = channel.read(chunk, at);
                    if (n < 0) throw new IOException(files.get(file) + " is shorter than when the torrent was started");
                    at += n;
                }
                sha1.update(chunk.flip());
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) channel.close();
            channel = null;
            openIndex = -1;
        }
    }

}
