package org.jtorrent.dht;

import java.net.InetSocketAddress;

/** A DHT node as the wire carries it: its id and UDP address. */
public record NodeInfo(NodeId id, InetSocketAddress address) {
    public NodeInfo {
        if (address.isUnresolved()) throw new IllegalArgumentException("a node address is an IP address: " + address);
    }
}
