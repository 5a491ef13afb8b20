package org.jtorrent.tracker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A tracker's host name looked up within a request's deadline. {@link InetAddress#getByName} cannot
 * be interrupted and waits as long as the system resolver does, so it runs on a virtual thread of its
 * own and the request waits for it at most until its deadline (or until it is cancelled); an
 * abandoned lookup ends when the resolver gives up. A literal address needs no lookup and returns at once.
 */
final class HostLookup {
    private HostLookup() {
    }

    /**
     * @throws SocketTimeoutException the deadline ({@link System#nanoTime()}) passed first
     * @throws java.net.UnknownHostException the name does not resolve
     */
    static InetAddress resolve(String host, long deadlineNanos, Cancellation cancellation) throws IOException {
        FutureTask<InetAddress> lookup = new FutureTask<>(() -> InetAddress.getByName(host));
        Thread.ofVirtual().name("tracker-lookup").start(lookup);
        Closeable abandon = () -> lookup.cancel(true);
        cancellation.register(abandon);
        try {
            return lookup.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new SocketTimeoutException("deadline passed while looking up " + host);
        } catch (CancellationException e) {
            throw new IOException("request abandoned");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io; // UnknownHostException
            throw new IOException("looking up " + host + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while looking up " + host);
        } finally {
            cancellation.unregister(abandon);
        }
    }
}
