package org.jtorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real channel whose writes fail like a full disk once {@code budget} bytes have been written;
 * with an unlimited budget, a channel that counts what went through it.
 */
public final class FailingChannel extends FileChannel {
    private final FileChannel real;
    private final java.util.concurrent.atomic.AtomicLong budget;
    private long written;
    private final java.util.List<Write> writes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** One positional write that went through: where, and how many bytes. */
    public record Write(long position, int length) {
    }
    private final java.util.concurrent.atomic.AtomicInteger forces = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean forceFails;

    public FailingChannel(FileChannel real, long budget) {
        this(real, new java.util.concurrent.atomic.AtomicLong(budget));
    }

    private FailingChannel(FileChannel real, java.util.concurrent.atomic.AtomicLong budget) {
        this.real = real;
        this.budget = budget;
    }

    /**
     * An opener whose channels share one budget, as the files of a real disk share its free space:
     * once {@code bytes} are written through any of them, every write fails like a full disk, also
     * through a channel opened again after an error.
     */
    public static ChannelOpener diskFullAfter(long bytes) {
        java.util.concurrent.atomic.AtomicLong free = new java.util.concurrent.atomic.AtomicLong(bytes);
        return p -> new FailingChannel(ChannelOpener.DEFAULT.open(p), free);
    }

    /** A channel whose writes go through and whose flushes fail, as on a device that reports an I/O error. */
    public static FailingChannel failingFlushes(FileChannel real) {
        FailingChannel c = new FailingChannel(real, Long.MAX_VALUE);
        c.forceFails = true;
        return c;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        long want = src.remaining();
        if (budget.getAndUpdate(left -> left >= want ? left - want : left) < want) {
            throw new IOException("No space left on device");
        }
        int n = real.write(src, position);
        written += n;
        writes.add(new Write(position, n));
        return n;
    }

    /** The positional writes that went through, in order. */
    public java.util.List<Write> writes() {
        return java.util.List.copyOf(writes);
    }

    /** Bytes written through this channel so far. */
    public long written() {
        return written;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new IOException("No space left on device");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new IOException("No space left on device");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        forces.incrementAndGet();
        if (forceFails) throw new IOException("Input/output error");
        real.force(metaData);
    }

    /** How many times this channel was flushed to disk. */
    public int forces() {
        return forces.get();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("No space left on device");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
