package org.jtorrent.tracker;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * Recognises our own listening address in a tracker's peer list: the port we announced on one of
 * this machine's addresses. Trackers usually include the announcing peer; dialling ourselves wastes
 * a connection slot and confuses the engine's duplicate-peer logic.
 */
public record SelfFilter(int port, Set<InetAddress> ownAddresses) {
    public SelfFilter {
        ownAddresses = Set.copyOf(ownAddresses);
    }

    /** Our port on every address of every local interface (read once; interfaces rarely change mid-run). */
    public static SelfFilter forPort(int port) {
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(nif.getInetAddresses()));
            }
        } catch (SocketException e) {
            // No interface list: loopback and the wildcard below still catch the common case.
        }
        own.add(InetAddress.getLoopbackAddress());
        return new SelfFilter(port, own);
    }

    public boolean isSelf(PeerAddress peer) {
        if (peer.port() != port) return false;
        InetAddress ip = peer.ip();
        // Inet6Address.equals ignores the scope id, so a scoped interface address matches too
        return ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ownAddresses.contains(ip);
    }
}
