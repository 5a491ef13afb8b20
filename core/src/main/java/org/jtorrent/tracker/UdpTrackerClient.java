package org.jtorrent.tracker;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.id.InfoHash;

/**
 * A UDP tracker (BEP 15). Each call is one attempt with one deadline: connect (unless a connection id
 * from the last minute is still valid), then the request, each resent every
 * {@link TrackerConfig#udpRetransmit()} until answered or the deadline passes. Packets whose
 * transaction id is not ours are ignored (they may be late or spoofed), and counted for the error.
 */
public final class UdpTrackerClient implements TrackerClient {
    /** BEP 15: a connection id may be used for one minute after it was received. */
    static final Duration CONNECTION_ID_LIFETIME = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Largest reply we read: 20 header bytes plus 1,000 IPv6 peers; longer datagrams are cut by the OS. */
    private static final int MAX_DATAGRAM = 20 + 18 * 1000;

    private final URI uri;
    private final TrackerConfig config;
    private final SelfFilter self;
    private final Clock clock;
    private long connectionId;
    private Instant connectionIdExpires = Instant.MIN;
    /**
     * Kept across attempts: a tracker may tie the connection id to our source port, so a new socket
     * would need a new id. Stale replies from an earlier attempt are filtered by transaction id.
     */
    private DatagramSocket socket;
    private boolean ipv6;
    /** One request at a time per tracker; a lock, not synchronized, so a waiting virtual thread does not pin. */
    private final ReentrantLock lock = new ReentrantLock();

    UdpTrackerClient(URI uri, TrackerConfig config, SelfFilter self, Clock clock) {
        if (uri.getPort() < 1) throw new IllegalArgumentException("UDP tracker URL without a port: " + uri);
        this.uri = uri;
        this.config = config;
        this.self = self;
        this.clock = clock;
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public AnnounceResponse announce(AnnounceRequest r, Duration deadline) throws TrackerException {
        return announce(r, deadline, new Cancellation());
    }

    AnnounceResponse announce(AnnounceRequest r, Duration deadline, Cancellation cancellation) throws TrackerException {
        lock.lock();
        try {
            return announceLocked(r, deadline, cancellation);
        } finally {
            lock.unlock();
        }
    }

    private AnnounceResponse announceLocked(AnnounceRequest r, Duration deadline, Cancellation cancellation)
            throws TrackerException {
        Attempt a = new Attempt(deadline, cancellation);
        long id = connectionId(a);
        var request = new UdpWire.Announce(id, RANDOM.nextInt(), r.infoHash(), r.peerId(), r.downloaded(), r.left(),
                r.uploaded(), r.event(), r.key(), r.numWant() < 0 ? -1 : r.numWant(), r.port());
        if (!(a.exchange(request) instanceof UdpWire.Announced reply)) throw a.unexpected("announce");
        List<PeerAddress> peers = reply.peers().stream().filter(p -> !self.isSelf(p)).toList();
        return new AnnounceResponse(Duration.ofSeconds(Integer.toUnsignedLong(reply.interval())), Optional.empty(),
                reply.seeders(), reply.leechers(), peers, Optional.empty(), Optional.empty());
    }

    @Override
    public Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline) throws TrackerException {
        return scrape(hashes, deadline, new Cancellation());
    }

    Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline, Cancellation cancellation)
            throws TrackerException {
        lock.lock();
        try {
            return scrapeLocked(hashes, deadline, cancellation);
        } finally {
            lock.unlock();
        }
    }

    private Map<InfoHash, ScrapeStats> scrapeLocked(List<InfoHash> hashes, Duration deadline, Cancellation cancellation)
            throws TrackerException {
        Map<InfoHash, ScrapeStats> result = new HashMap<>();
        Attempt a = new Attempt(deadline, cancellation);
        for (int from = 0; from < hashes.size(); from += UdpWire.MAX_SCRAPE_HASHES) {
            List<InfoHash> batch = hashes.subList(from, Math.min(hashes.size(), from + UdpWire.MAX_SCRAPE_HASHES));
            var request = new UdpWire.Scrape(connectionId(a), RANDOM.nextInt(), batch);
            if (!(a.exchange(request) instanceof UdpWire.Scraped reply)) throw a.unexpected("scrape");
            if (reply.stats().size() != batch.size()) {
                throw TrackerException.failed(uri, "scrape reply has " + reply.stats().size() + " entries for "
                        + batch.size() + " hashes");
            }
            for (int i = 0; i < batch.size(); i++) result.put(batch.get(i), reply.stats().get(i));
        }
        return result;
    }

    private long connectionId(Attempt a) throws TrackerException {
        if (clock.instant().isBefore(connectionIdExpires)) return connectionId;
        if (!(a.exchange(new UdpWire.Connect(RANDOM.nextInt())) instanceof UdpWire.Connected c)) throw a.unexpected("connect");
        connectionId = c.connectionId();
        connectionIdExpires = clock.instant().plus(CONNECTION_ID_LIFETIME);
        return connectionId;
    }

    /** One deadline over the requests of one call, and what was ignored meanwhile (for the error). */
    private final class Attempt {
        private final Duration deadline;
        private final long end;
        private final Cancellation cancellation;
        private int ignored;

        Attempt(Duration deadline, Cancellation cancellation) {
            this.deadline = deadline;
            this.end = System.nanoTime() + deadline.toNanos();
            this.cancellation = cancellation;
        }

        UdpWire.Reply exchange(UdpWire.Request request) throws TrackerException {
            open();
            DatagramSocket current = socket;
            cancellation.register(current); // cancelling closes it; the next attempt opens a new one
            try {
                return exchange(request, current);
            } finally {
                cancellation.unregister(current);
            }
        }

        private UdpWire.Reply exchange(UdpWire.Request request, DatagramSocket socket) throws TrackerException {
            byte[] out = request.encode();
            byte[] in = new byte[MAX_DATAGRAM];
            long resendEvery = Math.max(1, config.udpRetransmit().toMillis());
            try {
                while (true) {
                    long left = (end - System.nanoTime()) / 1_000_000;
                    if (left <= 0) throw timeout();
                    socket.send(new DatagramPacket(out, out.length));
                    long resendAt = System.nanoTime() / 1_000_000 + Math.min(left, resendEvery);
                    while (true) {
                        long wait = resendAt - System.nanoTime() / 1_000_000;
                        if (wait <= 0) break;
                        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, wait));
                        DatagramPacket packet = new DatagramPacket(in, in.length);
                        try {
                            socket.receive(packet);
                        } catch (SocketTimeoutException e) {
                            break;
                        }
                        ByteBuffer reply = ByteBuffer.wrap(in, 0, packet.getLength());
                        if (reply.remaining() < 8 || reply.getInt(4) != request.transactionId()) {
                            ignored++; // not an answer to this request: stray, late or forged
                            continue;
                        }
                        UdpWire.Reply decoded = UdpWire.decodeReply(reply, ipv6);
                        if (decoded instanceof UdpWire.Error error) {
                            connectionIdExpires = Instant.MIN; // the usual cause is an expired connection id
                            throw TrackerException.refused(uri, error.message());
                        }
                        return decoded;
                    }
                }
            } catch (TrackerException e) {
                throw e;
            } catch (UdpWire.MalformedPacket e) {
                throw TrackerException.failed(uri, e.getMessage());
            } catch (PortUnreachableException e) {
                socket.close();
                throw TrackerException.failed(uri, "connection refused (ICMP port unreachable)");
            } catch (IOException e) {
                if (cancellation.isCancelled()) throw TrackerException.abandoned(uri, e);
                throw TrackerException.failed(uri, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
        }

        private void open() throws TrackerException {
            if (socket != null && !socket.isClosed()) return;
            InetAddress address;
            try {
                address = HostLookup.resolve(uri.getHost(), end, cancellation);
            } catch (UnknownHostException e) {
                throw TrackerException.failed(uri, "unknown host " + uri.getHost());
            } catch (SocketTimeoutException e) {
                throw timeout();
            } catch (IOException e) {
                if (cancellation.isCancelled()) throw TrackerException.abandoned(uri, e);
                throw TrackerException.failed(uri, "looking up " + uri.getHost() + ": " + e.getMessage(), e);
            }
            ipv6 = address instanceof Inet6Address;
            try {
                socket = new DatagramSocket();
                // Connected: the OS drops datagrams from any other source and reports ICMP errors to us.
                socket.connect(new InetSocketAddress(address, uri.getPort()));
                connectionIdExpires = Instant.MIN; // a new source port may need a new id
            } catch (IOException e) {
                throw TrackerException.failed(uri, "cannot reach: " + e.getMessage(), e);
            }
        }

        TrackerException timeout() {
            String why = ignored == 0 ? "" : " (ignored " + ignored + " packets with a wrong transaction id)";
            return TrackerException.failed(uri, TrackerException.noReplyWithin(deadline) + why);
        }

        TrackerException unexpected(String what) {
            return TrackerException.failed(uri, "reply of the wrong kind to a " + what + " request");
        }

    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (socket != null) socket.close();
        } finally {
            lock.unlock();
        }
    }
}
