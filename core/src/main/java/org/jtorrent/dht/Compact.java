package org.jtorrent.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact forms of BEP 5 and BEP 32: a peer as its IP and port (6 or 18 bytes), a node as
 * its id, IP and port (26 or 38 bytes). Decoding takes at most {@code max} entries whatever the
 * input holds, and skips entries with port 0.
 */
final class Compact {
    static final int NODE4 = 26;
    static final int NODE6 = 38;

    private Compact() {
    }

    static byte[] address(InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        byte[] out = new byte[ip.length + 2];
        System.arraycopy(ip, 0, out, 0, ip.length);
        out[ip.length] = (byte) (a.getPort() >>> 8);
        out[ip.length + 1] = (byte) a.getPort();
        return out;
    }

    /** A compact peer or {@code ip} field (6 or 18 bytes), or null if it is neither. */
    static InetSocketAddress parseAddress(byte[] b) {
        if (b.length != 6 && b.length != 18) return null;
        return address(b, 0, b.length - 2);
    }

    private static InetSocketAddress address(byte[] b, int offset, int ipLength) {
        byte[] ip = new byte[ipLength];
        System.arraycopy(b, offset, ip, 0, ipLength);
        int port = ((b[offset + ipLength] & 0xff) << 8) | (b[offset + ipLength + 1] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    static byte[] nodes(List<NodeInfo> nodes, boolean v6) {
        int size = v6 ? NODE6 : NODE4;
        List<NodeInfo> family = nodes.stream().filter(n -> (n.address().getAddress() instanceof Inet4Address) != v6).toList();
        byte[] out = new byte[family.size() * size];
        for (int i = 0; i < family.size(); i++) {
            NodeInfo n = family.get(i);
            n.id().copyTo(out, i * size);
            byte[] a = address(n.address());
            System.arraycopy(a, 0, out, i * size + NodeId.LENGTH, a.length);
        }
        return out;
    }

    /** Up to {@code max} nodes from a {@code nodes} (v4) or {@code nodes6} string; a ragged tail is ignored. */
    static List<NodeInfo> parseNodes(byte[] b, boolean v6, int max) {
        int size = v6 ? NODE6 : NODE4;
        int count = Math.min(b.length / size, max);
        List<NodeInfo> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            InetSocketAddress a = address(b, i * size + NodeId.LENGTH, size - NodeId.LENGTH - 2);
            if (a.getPort() == 0) continue;
            out.add(new NodeInfo(NodeId.of(b, i * size), a));
        }
        return out;
    }
}
