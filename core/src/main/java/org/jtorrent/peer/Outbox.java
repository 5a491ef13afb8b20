package org.jtorrent.peer;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.Message.Piece;
import org.jtorrent.wire.MessageCodec;

/**
 * One connection's outbound messages, in order, for its one writer thread (rqbit's
 * {@code WriterRequest} channel). Posting never blocks on the socket: any thread (the reader, the
 * choker, a piece outcome, the timer) appends and returns, and only the writer touches the socket.
 *
 * <p>Two bounds keep a peer that does not read from costing memory. Control messages (requests,
 * rejects, haves, ...) may hold at most {@code controlLimit} bytes: a post past it is refused, and
 * the connection closes (a peer that floods requests and never reads their rejects gets here).
 * Pieces are posted by the connection's uploader, which waits for room instead: at most
 * {@code pieceWindow} bytes of them wait, enough to keep the writer busy. The lock is held only to
 * move references, never across I/O. The deque grows once to its working size and is then reused:
 * no allocation per message.
 */
final class Outbox {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition(); // the writer waits for messages
    private final Condition room = lock.newCondition();  // the uploader waits for the writer to catch up
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final long controlLimit;
    private final long pieceWindow;
    private long controlBytes; // queued or being written
    private long pieceBytes;   // queued or being written
    private boolean closed;

    Outbox(long controlLimit, long pieceWindow) {
        this.controlLimit = controlLimit;
        this.pieceWindow = pieceWindow;
    }

    /**
     * Queues control messages (not pieces) in order. False if they would take the queue past its
     * bound: the peer is not reading, and nothing was queued. After {@link #close} they are dropped.
     */
    boolean post(List<? extends Message> messages) {
        long bytes = 0;
        for (Message m : messages) bytes += MessageCodec.frameLength(m);
        lock.lock();
        try {
            if (closed) return true;
            if (controlBytes + bytes > controlLimit) return false;
            controlBytes += bytes;
            queue.addAll(messages);
            ready.signal(); // cheap unless the writer waits; pieces may be queued without a wake-up (below)
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a piece once the pieces already queued are within the window. False once closed. With
     * {@code moreComing} (the uploader has further requests in hand) a waiting writer is woken only
     * once half the window is queued: one wake-up per many pieces rather than one each.
     */
    boolean postPiece(Piece piece, boolean moreComing) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && pieceBytes >= pieceWindow) room.await();
            if (closed) return false;
            pieceBytes += MessageCodec.frameLength(piece);
            queue.addLast(piece);
            if (!moreComing || pieceBytes >= pieceWindow / 2) ready.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting writer for pieces queued without a wake-up: the uploader has no more in hand. */
    void wakeWriter() {
        lock.lock();
        try {
            if (!queue.isEmpty()) ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves every queued message into {@code batch} (empty on entry), waiting up to {@code nanos}
     * (negative: without limit) for the first. Returns false once closed; an empty batch on a
     * timeout. The messages still count against the bounds until {@link #written}.
     */
    boolean takeAll(List<Message> batch, long nanos) throws InterruptedException {
        lock.lock();
        try {
            boolean timed = nanos >= 0;
            while (!closed && queue.isEmpty()) {
                if (!timed) {
                    ready.await();
                } else {
                    if (nanos <= 0) return true;
                    nanos = ready.awaitNanos(nanos);
                }
            }
            if (closed) return false;
            for (Message m; (m = queue.pollFirst()) != null; ) batch.add(m);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The writer has written these (taken by {@link #takeAll}): their bytes leave the bounds. */
    void written(List<Message> batch) {
        long control = 0;
        long pieces = 0;
        for (Message m : batch) {
            if (m instanceof Piece) pieces += MessageCodec.frameLength(m);
            else control += MessageCodec.frameLength(m);
        }
        lock.lock();
        try {
            controlBytes -= control;
            pieceBytes -= pieces;
            if (pieces > 0) room.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing is queued or being written (taken but not yet {@link #written}). */
    boolean drained() {
        lock.lock();
        try {
            return controlBytes == 0 && pieceBytes == 0;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the writer and the uploader for good; what is queued is dropped. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            ready.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
