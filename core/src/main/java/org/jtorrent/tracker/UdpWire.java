package org.jtorrent.tracker;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;

/**
 * The UDP tracker protocol (BEP 15) as values: requests and replies are sealed families of records
 * with their exact byte layout, shared by our client and our server. No I/O here.
 */
public final class UdpWire {
    /** The magic constant a connect request starts with. */
    public static final long PROTOCOL_ID = 0x41727101980L;
    public static final int CONNECT = 0, ANNOUNCE = 1, SCRAPE = 2, ERROR = 3;
    /** BEP 15: at most about 74 info-hashes fit one scrape. */
    public static final int MAX_SCRAPE_HASHES = 74;

    private UdpWire() {
    }

    /** A packet that does not follow the layout; the message says what is wrong with it. */
    public static final class MalformedPacket extends Exception {
        public MalformedPacket(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- requests (client -> tracker)

    public sealed interface Request permits Connect, Announce, Scrape {
        int transactionId();

        byte[] encode();
    }

    public record Connect(int transactionId) implements Request {
        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(16).putLong(PROTOCOL_ID).putInt(CONNECT).putInt(transactionId).array();
        }
    }

    /** @param numWant -1 for the tracker's default */
    public record Announce(long connectionId, int transactionId, InfoHash infoHash, PeerId peerId, long downloaded,
                           long left, long uploaded, AnnounceEvent event, int key, int numWant, int port)
            implements Request {
        public static final int LENGTH = 98;

        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(LENGTH).putLong(connectionId).putInt(ANNOUNCE).putInt(transactionId)
                    .put(infoHash.bytes()).put(peerId.bytes())
                    .putLong(downloaded).putLong(left).putLong(uploaded)
                    .putInt(event.udpCode())
                    .putInt(0) // IP address: 0 = the packet's source address; we never claim another
                    .putInt(key).putInt(numWant).putShort((short) port)
                    .array();
        }
    }

    public record Scrape(long connectionId, int transactionId, List<InfoHash> hashes) implements Request {
        public Scrape {
            hashes = List.copyOf(hashes);
            if (hashes.isEmpty() || hashes.size() > MAX_SCRAPE_HASHES) {
                throw new IllegalArgumentException("a UDP scrape carries 1.." + MAX_SCRAPE_HASHES + " hashes");
            }
        }

        @Override
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(16 + 20 * hashes.size()).putLong(connectionId).putInt(SCRAPE).putInt(transactionId);
            hashes.forEach(h -> b.put(h.bytes()));
            return b.array();
        }
    }

    /**
     * Decodes a request as a tracker receives it. The connection id is returned as sent; checking it
     * is the server's job. Trailing bytes after an announce (BEP 41 options) are ignored.
     */
    public static Request decodeRequest(ByteBuffer in) throws MalformedPacket {
        if (in.remaining() < 16) throw new MalformedPacket("packet of " + in.remaining() + " bytes, shorter than any request");
        long connectionId = in.getLong();
        int action = in.getInt();
        int tx = in.getInt();
        try {
            return switch (action) {
                case CONNECT -> {
                    if (connectionId != PROTOCOL_ID) throw new MalformedPacket("connect without the protocol id");
                    yield new Connect(tx);
                }
                case ANNOUNCE -> {
                    if (in.remaining() < Announce.LENGTH - 16) throw new MalformedPacket("announce of " + (in.limit()) + " bytes, need 98");
                    InfoHash hash = InfoHash.of(bytes(in, 20));
                    PeerId peer = PeerId.of(bytes(in, 20));
                    long downloaded = in.getLong(), left = in.getLong(), uploaded = in.getLong();
                    AnnounceEvent event = AnnounceEvent.fromUdpCode(in.getInt());
                    in.getInt(); // IP address: ignored, a peer's address is where its packet came from
                    int key = in.getInt(), numWant = in.getInt();
                    int port = Short.toUnsignedInt(in.getShort());
                    yield new Announce(connectionId, tx, hash, peer, downloaded, left, uploaded, event, key, numWant, port);
                }
                case SCRAPE -> {
                    int n = Math.min(in.remaining() / 20, MAX_SCRAPE_HASHES);
                    if (n == 0) throw new MalformedPacket("scrape without an info-hash");
                    List<InfoHash> hashes = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) hashes.add(InfoHash.of(bytes(in, 20)));
                    yield new Scrape(connectionId, tx, hashes);
                }
                default -> throw new MalformedPacket("unknown action " + action);
            };
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket("truncated request");
        }
    }

    // ---------------------------------------------------------------- replies (tracker -> client)

    public sealed interface Reply permits Connected, Announced, Scraped, Error {
        int transactionId();

        byte[] encode();
    }

    public record Connected(int transactionId, long connectionId) implements Reply {
        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(16).putInt(CONNECT).putInt(transactionId).putLong(connectionId).array();
        }
    }

    /** Peers are all of one family: 6 bytes each to an IPv4 client, 18 to an IPv6 one (BEP 15). */
    public record Announced(int transactionId, int interval, int leechers, int seeders, List<PeerAddress> peers)
            implements Reply {
        public Announced {
            peers = List.copyOf(peers);
        }

        @Override
        public byte[] encode() {
            int each = !peers.isEmpty() && peers.getFirst().isIpv6() ? PeerAddress.COMPACT_V6 : PeerAddress.COMPACT_V4;
            ByteBuffer b = ByteBuffer.allocate(20 + each * peers.size())
                    .putInt(ANNOUNCE).putInt(transactionId).putInt(interval).putInt(leechers).putInt(seeders);
            for (PeerAddress p : peers) {
                if ((p.isIpv6() ? PeerAddress.COMPACT_V6 : PeerAddress.COMPACT_V4) != each) {
                    throw new IllegalArgumentException("mixed address families in one UDP announce reply");
                }
                p.writeCompact(b);
            }
            return b.array();
        }
    }

    public record Scraped(int transactionId, List<ScrapeStats> stats) implements Reply {
        public Scraped {
            stats = List.copyOf(stats);
        }

        @Override
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(8 + 12 * stats.size()).putInt(SCRAPE).putInt(transactionId);
            for (ScrapeStats s : stats) b.putInt(sat(s.complete())).putInt(sat(s.downloaded())).putInt(sat(s.incomplete()));
            return b.array();
        }
    }

    public record Error(int transactionId, String message) implements Reply {
        @Override
        public byte[] encode() {
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(8 + text.length).putInt(ERROR).putInt(transactionId).put(text).array();
        }
    }

    /**
     * Decodes a reply. The caller has already matched the transaction id (bytes 4..8), so a short
     * packet here is a truncated answer to our own request, and the message says so.
     *
     * @param ipv6 whether the tracker was reached over IPv6: then announce peers are 18 bytes each
     */
    public static Reply decodeReply(ByteBuffer in, boolean ipv6) throws MalformedPacket {
        int length = in.remaining();
        if (length < 8) throw new MalformedPacket("reply of " + length + " bytes, shorter than its header");
        int action = in.getInt();
        int tx = in.getInt();
        switch (action) {
            case CONNECT -> {
                if (length < 16) throw new MalformedPacket("truncated connect reply: " + length + " bytes, need 16");
                return new Connected(tx, in.getLong());
            }
            case ANNOUNCE -> {
                if (length < 20) throw new MalformedPacket("truncated announce reply: " + length + " bytes, need at least 20");
                int interval = in.getInt(), leechers = in.getInt(), seeders = in.getInt();
                int each = ipv6 ? PeerAddress.COMPACT_V6 : PeerAddress.COMPACT_V4;
                if (in.remaining() % each != 0) {
                    throw new MalformedPacket("announce reply has " + in.remaining() + " peer bytes, not a multiple of " + each);
                }
                List<PeerAddress> peers = new ArrayList<>(in.remaining() / each);
                while (in.hasRemaining()) peers.add(PeerAddress.readCompact(in, each - 2));
                return new Announced(tx, interval, leechers, seeders, peers);
            }
            case SCRAPE -> {
                if ((length - 8) % 12 != 0) throw new MalformedPacket("scrape reply of " + length + " bytes is cut short");
                List<ScrapeStats> stats = new ArrayList<>();
                while (in.hasRemaining()) {
                    stats.add(new ScrapeStats(Integer.toUnsignedLong(in.getInt()), Integer.toUnsignedLong(in.getInt()),
                            Integer.toUnsignedLong(in.getInt())));
                }
                return new Scraped(tx, stats);
            }
            case ERROR -> {
                byte[] text = bytes(in, in.remaining());
                return new Error(tx, new String(text, StandardCharsets.UTF_8));
            }
            default -> throw new MalformedPacket("unknown action " + action + " in reply");
        }
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static int sat(long v) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, v));
    }
}
