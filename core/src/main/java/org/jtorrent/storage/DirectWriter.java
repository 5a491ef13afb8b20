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
 * most {@link #CHUNK}. Pieces tile a file without overlap, so every block of a file is written one
 * way only. A file system that refuses direct I/O (tmpfs on older kernels, some network file
 * systems), when opening or when writing, turns direct writes off for the rest of the download; the
 * data then goes through the page cache, and a failure there is a real one (a full disk, say).
 */
final class DirectWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectWriter.class);
    /** The size of a staging buffer, so of each direct write from one. */
    static final int CHUNK = 1 << 20;
    /** Staging buffers at most: as many as pieces hash at once (PieceHasher), with room to spare. */
    static final int MAX_STAGING = 8;

    /** Thrown by an opener that has no direct channel to offer. */
    static final class Unsupported extends IOException {
        Unsupported() {
            super("no direct I/O from this opener");
        }
    }

    private final FileHandles handles;
    private final int alignment;
    private final Queue<ByteBuffer> spareStaging = new ConcurrentLinkedQueue<>();
    private final AtomicInteger stagingCreated = new AtomicInteger();
    private volatile boolean enabled;

    /**
     * @param alignment the file system's block size, a power of two; 0 turns direct writes off
     * @param opener    opens a file's direct channel, or throws {@link Unsupported}
     */
    DirectWriter(int alignment, int openFileCap, FileHandles.Opener opener) {
        this.alignment = alignment;
        this.enabled = alignment > 0 && Integer.bitCount(alignment) == 1 && alignment <= CHUNK;
        this.handles = new FileHandles(openFileCap, opener);
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
        ByteBuffer staging = takeStaging();
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
            staging.clear();
            spareStaging.offer(staging);
        }
    }

    /** Turns direct writes off; what is left to write goes through the page cache, where a failure is real. */
    private void fallBack(IOException e) {
        if (enabled && !(e instanceof Unsupported)) log.debug("direct writes off, using the page cache: {}", e.toString());
        enabled = false;
    }

    /**
     * A direct buffer whose memory starts on the block grid, so that {@link #write} sends the aligned
     * middle of a run from it without staging it (any direct buffer when direct writes are off).
     */
    ByteBuffer allocate(int size) {
        int align = Math.max(alignment, 64); // a cache line, at least
        // alignedSlice also rounds the end down to the grid: room for a whole number of units.
        int units = (size + align - 1) & -align;
        return ByteBuffer.allocateDirect(units + align).alignedSlice(align).limit(size).slice();
    }

    /**
     * Direct writes need a direct buffer on the block grid. The JDK would copy each heap buffer into
     * a temporary aligned one of its own, freed only by the garbage collector: a download's worth of
     * them swelled the process past a gigabyte. Ours are reused, one per concurrent writer, and
     * there are at most {@link #MAX_STAGING}; null when all are in use.
     */
    private ByteBuffer takeStaging() {
        ByteBuffer b = spareStaging.poll();
        if (b != null) return b;
        if (stagingCreated.getAndIncrement() >= MAX_STAGING) {
            stagingCreated.decrementAndGet();
            return null;
        }
        return allocate(CHUNK);
    }

    int stagingBuffers() {
        return stagingCreated.get();
    }

    private long alignUp(long position) {
        return (position + alignment - 1) & -(long) alignment;
    }

    static void writeFully(FileChannel channel, ByteBuffer data, long position) throws IOException {
        while (data.hasRemaining()) position += channel.write(data, position);
    }

    @Override
    public void close() throws IOException {
        handles.close();
    }
}
