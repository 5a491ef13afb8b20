package org.jtorrent.tracker.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jtorrent.id.PeerId;
import org.jtorrent.tracker.PeerAddress;
import org.jtorrent.tracker.ScrapeStats;
import org.jtorrent.tracker.UdpWire;

/**
 * BEP 15 on one datagram channel, served by one thread: each packet is decoded, answered and
 * forgotten, so the loop does no per-client bookkeeping (connection ids are {@link ConnectionIds}).
 * Malformed packets are dropped without a reply, so junk cannot be reflected at a spoofed victim;
 * a well-formed request with a bad connection id gets an error, as BEP 15 asks.
 */
final class UdpFrontEnd implements AutoCloseable {
    private final DatagramChannel channel;
    private final Swarms swarms;
    private final TrackerServerConfig config;
    private final ConnectionIds ids;
    private volatile Thread loop;
    final LongAdder announces = new LongAdder();
    final LongAdder dropped = new LongAdder();

    UdpFrontEnd(TrackerServerConfig config, Swarms swarms, Clock clock) throws IOException {
        this.config = config;
        this.swarms = swarms;
        this.ids = new ConnectionIds(clock);
        this.channel = config.bind() instanceof Inet4Address
                ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open(StandardProtocolFamily.INET6);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 21);
        InetSocketAddress at = new InetSocketAddress(config.bind(), config.udpPort());
        try {
            channel.bind(at);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot listen for UDP on " + at + ": " + e.getMessage(), e);
        }
    }

    /** Starts answering datagrams, until {@link #close}. */
    void start() {
        loop = Thread.ofPlatform().name("jtorrent-tracker-udp").daemon().start(this::serve);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void serve() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        while (channel.isOpen()) {
            InetSocketAddress from;
            try {
                in.clear();
                from = (InetSocketAddress) channel.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue; // e.g. an ICMP error from an earlier reply: nothing to do about it
            }
            in.flip();
            byte[] reply = answer(in, from);
            if (reply == null) {
                dropped.increment();
                continue;
            }
            try {
                channel.send(ByteBuffer.wrap(reply), from);
            } catch (IOException e) {
                // the client's problem (gone, unreachable); the next packet is someone else's
            }
        }
    }

    /** The reply datagram, or null to stay silent. */
    byte[] answer(ByteBuffer packet, InetSocketAddress from) {
        return answer(packet, from, ids, swarms, config, announces);
    }

    /**
     * What the server does with a datagram's bytes (static, so that the fuzz target runs it without
     * a socket); {@code announces} counts the announces served.
     */
    static byte[] answer(ByteBuffer packet, InetSocketAddress from, ConnectionIds ids, Swarms swarms,
                         TrackerServerConfig config, LongAdder announces) {
        UdpWire.Request request;
        try {
            request = UdpWire.decodeRequest(packet);
        } catch (UdpWire.MalformedPacket e) {
            return null;
        }
        return switch (request) {
            case UdpWire.Connect c -> new UdpWire.Connected(c.transactionId(), ids.issue(from)).encode();
            case UdpWire.Announce a when !ids.isValid(a.connectionId(), from) -> badConnection(a);
            case UdpWire.Scrape s when !ids.isValid(s.connectionId(), from) -> badConnection(s);
            case UdpWire.Announce a -> {
                announces.increment();
                yield announce(a, from, swarms, config);
            }
            case UdpWire.Scrape s -> {
                List<ScrapeStats> stats = new ArrayList<>(s.hashes().size());
                s.hashes().forEach(h -> stats.add(swarms.scrape(h)));
                yield new UdpWire.Scraped(s.transactionId(), stats).encode();
            }
        };
    }

    private static byte[] announce(UdpWire.Announce a, InetSocketAddress from, Swarms swarms, TrackerServerConfig config) {
        PeerAddress address = new PeerAddress(from.getAddress(), a.port());
        try {
            Swarms.Reply reply = swarms.announce(new Swarms.Announce(a.infoHash(), address, PeerId.of(a.peerId().bytes()),
                    a.left(), a.event(), a.numWant()));
            // BEP 15 has room for one address family: the one the client reached us over.
            boolean v6 = address.isIpv6();
            List<PeerAddress> peers = reply.peers().stream().map(Swarms.Peer::address)
                    .filter(p -> p.isIpv6() == v6).toList();
            return new UdpWire.Announced(a.transactionId(), (int) config.interval().toSeconds(),
                    reply.leechers(), reply.seeders(), peers).encode();
        } catch (Swarms.Refused e) {
            return new UdpWire.Error(a.transactionId(), e.getMessage()).encode();
        }
    }

    private static byte[] badConnection(UdpWire.Request r) {
        return new UdpWire.Error(r.transactionId(), "bad or expired connection id").encode();
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Thread t = loop;
        if (t == null) return;
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
