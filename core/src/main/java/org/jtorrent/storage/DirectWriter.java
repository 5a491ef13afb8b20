package org.jtorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes that bypass the page cache (O_DIRECT), where the file system allows it.
 *
 * <p>Why: a verified piece is not read back soon (uploads go through {@link ReadCache}), so copying
 * it into the page cache only costs. Each byte is copied once more, each page of the cache has to
 * be allocated (on the virtual machines we measure on, fresh pages made that copy most of a
 * download's CPU time: docs/performance.md), and at close the fsync that resume data needs finds a
 * gigabyte of dirty pages to flush. Written directly, the data reaches the disk while the download
 * runs. libtorrent offers the same choice ({@code disk_io_write_mode}); here it is the default.
 *
 * <p>O_DIRECT wants file offsets, lengths and memory that are multiples of the file system's block
 * size. A write is split into its aligned middle, written directly, and an unaligned head and tail,
 * written through the page cache. The middle goes out of the caller's buffer when its memory is on
 * the grid too ({@link #allocate} makes such buffers), else through a staging buffer in chunks of at
 * most {@link #CHUNK}.
 *
 * <p>The grid is the larger of the block size and the memory page size, not the block size alone.
 * On a file system with blocks smaller than a page (ext4 made with 1 KiB blocks, XFS or a block
 * device with 512-byte sectors) a cached head or tail and a direct write next to it would otherwise
 * share a page: the direct write flushes and then invalidates that page, and a cached write landing
 * in between (another piece, on another hashing thread) leaves it dirty, with the bytes the page
 * held of the direct write's range before it; when writeback later writes the whole page, as file
 * systems without per-block dirty state do, those old bytes overwrite the direct write on disk
 * (the kernel's "Page cache invalidation failure on direct I/O. Possible data corruption"). With
 * the page grid, a direct write covers whole pages, each lying inside one run; the page holding a
 * run's head or tail also holds bytes of that run, so it is never inside another run's direct
 * middle either: every page of a file is written one way only, and pieces tile a file without
 * overlap. A file system that refuses direct I/O (tmpfs on older kernels, some network file
 * systems), when opening or when writing, turns direct writes off for the rest of the download; the
 * data then goes through the page cache, and a failure there is a real one (a full disk, say).
 */
final class DirectWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectWriter.class);
    /** The size of a staging buffer, so of each direct write from one. */
    static final int CHUNK = 1 << 20;
    /** Staging buffers at most, per session: as many as pieces hash at once (PieceHasher), with room to spare. */
    static final int MAX_STAGING = 8;
    /** The memory page size, which the grid of direct writes is never finer than. */
    static final int PAGE_SIZE = pageSize();
    /** Assumed when the JVM will not tell: the largest page size in common use (arm64, ppc64). */
    static final int LARGEST_COMMON_PAGE = 64 * 1024;

    /** Thrown by an opener that has no direct channel to offer. */
    static final class Unsupported extends IOException {
        Unsupported() {
            super("no direct I/O from this opener");
        }
    }

    private final FileHandles.Group handles;
    private final Staging staging;
    private final int alignment;
    private volatile boolean enabled;

    /**
     * Direct writes need a direct buffer on the block grid. The JDK would copy each heap buffer into
     * a temporary aligned one of its own, freed only by the garbage collector: a download's worth of
     * them swelled the process past a gigabyte. Ours are reused, one per concurrent writer, shared by
     * every torrent of a session ({@link DiskResources}), and there are at most {@code max}: a
     * thousand torrents do not hold a thousand sets. Each starts on a {@link #LARGEST_COMMON_PAGE}
     * boundary, which every grid of a file system with blocks up to that size divides.
     */
    static final class Staging {
        private final int max;
        private final Queue<ByteBuffer> spare = new ConcurrentLinkedQueue<>();
        private final AtomicInteger created = new AtomicInteger();

        Staging(int max) {
            this.max = max;
        }

        /** A staging buffer of {@link #CHUNK} bytes on the {@code alignment} grid; null when all are in use. */
        ByteBuffer take(int alignment) {
            if (alignment > LARGEST_COMMON_PAGE) return null; // a grid coarser than ours: the cache path
            ByteBuffer b = spare.poll();
            if (b != null) return b;
            if (created.getAndIncrement() >= max) {
                created.decrementAndGet();
                return null;
            }
            return alignedDirect(CHUNK, LARGEST_COMMON_PAGE);
        }

        void give(ByteBuffer b) {
            spare.offer(b.clear());
        }

        int created() {
            return created.get();
        }
    }

    /**
     * @param blockSize the file system's block size, a power of two; 0 turns direct writes off
     * @param handles   opens a file's direct channel, or throws {@link Unsupported}
     * @param staging   buffers for writes from memory off the grid, shared with other writers
     */
    DirectWriter(int blockSize, FileHandles.Group handles, Staging staging) {
        this.alignment = blockSize > 0 ? Math.max(blockSize, PAGE_SIZE) : 0;
        this.enabled = alignment > 0 && Integer.bitCount(alignment) == 1 && alignment <= CHUNK;
        this.handles = handles;
        this.staging = staging;
    }

    boolean enabled() {
        return enabled;
    }

    /** Writes all of {@code run} at {@code position} of {@code file}; {@code cached} is its page-cache channel. */
    void write(int file, ByteBuffer run, long position, FileChannel cached) throws IOException {
        long end = position + run.remaining();
        long middleStart = alignUp(position);
        long middleEnd = end & -(long) alignment;
        if (!enabled || middleEnd - middleStart < alignment) {
            writeFully(cached, run, position);
            return;
        }
        int base = run.position();
        writeFully(cached, run.slice(base, (int) (middleStart - position)), position);
        writeDirect(file, run.slice(base + (int) (middleStart - position), (int) (middleEnd - middleStart)), middleStart, cached);
        writeFully(cached, run.slice(base + (int) (middleEnd - position), (int) (end - middleEnd)), middleEnd);
        run.position(run.limit());
    }

    private void writeDirect(int file, ByteBuffer middle, long position, FileChannel cached) throws IOException {
        if (middle.isDirect() && middle.alignmentOffset(0, alignment) == 0) { // from allocate(): no staging
            try (FileHandles.Lease lease = handles.acquire(file)) {
                writeFully(lease.channel(), middle.duplicate(), position);
            } catch (IOException e) {
                fallBack(e);
                writeFully(cached, middle, position); // all of it again: the same bytes wherever they landed
            }
            return;
        }
        ByteBuffer staging = this.staging.take(alignment);
        if (staging == null) { // more writers at once than buffers: this one takes the cache path
            writeFully(cached, middle, position);
            return;
        }
        try (FileHandles.Lease lease = handles.acquire(file)) {
            FileChannel direct = lease.channel();
            while (middle.hasRemaining()) {
                int length = Math.min(CHUNK, middle.remaining());
                staging.clear().put(0, middle, middle.position(), length).limit(length);
                writeFully(direct, staging, position);
                position += length;
                middle.position(middle.position() + length);
            }
        } catch (IOException e) {
            fallBack(e);
            writeFully(cached, middle, position); // the rest, the failed chunk included
        } finally {
            this.staging.give(staging);
        }
    }

    /** Turns direct writes off; what is left to write goes through the page cache, where a failure is real. */
    private void fallBack(IOException e) {
        if (enabled && !(e instanceof Unsupported)) log.debug("direct writes off, using the page cache: {}", e.toString());
        enabled = false;
        try {
            handles.close(); // the direct channels are of no more use: their descriptors go back to the pool
        } catch (IOException closing) {
            log.debug("closing direct channels: {}", closing.toString());
        }
    }

    /**
     * A direct buffer whose memory starts on the block grid, so that {@link #write} sends the aligned
     * middle of a run from it without staging it (any direct buffer when direct writes are off).
     */
    ByteBuffer allocate(int size) {
        return alignedDirect(size, Math.max(alignment, 64)); // a cache line, at least
    }

    private static ByteBuffer alignedDirect(int size, int align) {
        // alignedSlice also rounds the end down to the grid: room for a whole number of units.
        int units = (size + align - 1) & -align;
        return ByteBuffer.allocateDirect(units + align).alignedSlice(align).limit(size).slice();
    }

    int stagingBuffers() {
        return staging.created();
    }

    private long alignUp(long position) {
        return (position + alignment - 1) & -(long) alignment;
    }

    @SuppressWarnings("sunapi") // Unsafe.pageSize: the JDK's only way to the page size (jdk.unsupported, not deprecated)
    private static int pageSize() {
        try {
            java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            int size = ((sun.misc.Unsafe) field.get(null)).pageSize();
            return size > 0 && Integer.bitCount(size) == 1 ? size : LARGEST_COMMON_PAGE;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return LARGEST_COMMON_PAGE;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer data, long position) throws IOException {
        while (data.hasRemaining()) position += channel.write(data, position);
    }

    @Override
    public void close() throws IOException {
        handles.close();
    }
}
