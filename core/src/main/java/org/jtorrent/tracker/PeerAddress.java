package org.jtorrent.tracker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A peer's IP address and TCP port as a tracker hands it out. Always a literal address: building one
 * never resolves a host name, so a tracker can never make us perform a DNS lookup.
 */
public record PeerAddress(InetAddress ip, int port) {
    /** Bytes per peer in a BEP 23 compact IPv4 list and a BEP 7 compact IPv6 list. */
    public static final int COMPACT_V4 = 6;
    public static final int COMPACT_V6 = 18;

    public PeerAddress {
        if (ip == null) throw new IllegalArgumentException("peer address without an IP");
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("port out of range: " + port);
    }

    public static PeerAddress of(InetSocketAddress address) {
        return new PeerAddress(address.getAddress(), address.getPort());
    }

    /** Reads {@code 4 + 2} or {@code 16 + 2} bytes (address then big-endian port) from the buffer. */
    public static PeerAddress readCompact(ByteBuffer in, int addressLength) {
        byte[] raw = new byte[addressLength];
        in.get(raw);
        int port = Short.toUnsignedInt(in.getShort());
        try {
            return new PeerAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // unreachable: the length is 4 or 16
        }
    }

    /** Writes the compact form: 6 bytes for IPv4, 18 for IPv6 (an IPv4-mapped IPv6 address stays IPv4). */
    public void writeCompact(ByteBuffer out) {
        out.put(ip.getAddress()).putShort((short) port);
    }

    public boolean isIpv6() {
        return ip instanceof Inet6Address;
    }

    public boolean isIpv4() {
        return ip instanceof Inet4Address;
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(ip, port);
    }

    @Override
    public String toString() {
        return isIpv6() ? "[" + ip.getHostAddress() + "]:" + port : ip.getHostAddress() + ":" + port;
    }
}
