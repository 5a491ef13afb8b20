package org.jtorrent.dht;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A KRPC message (BEP 5) as {@link Krpc} decodes it: only the fields the node uses, each already
 * checked and bounded. Byte arrays are never shared with the packet they came from.
 */
public sealed interface KrpcMessage permits KrpcMessage.Query, KrpcMessage.Response, KrpcMessage.Error {

    /** The transaction id, echoed by the answer (1 to {@link Krpc#MAX_TRANSACTION_ID} bytes). */
    byte[] transactionId();

    enum Method {
        PING("ping"), FIND_NODE("find_node"), GET_PEERS("get_peers"), ANNOUNCE_PEER("announce_peer"), UNKNOWN("?");

        final String wireName;

        Method(String wireName) {
            this.wireName = wireName;
        }

        static Method of(String name) {
            for (Method m : values()) if (m.wireName.equals(name)) return m;
            return UNKNOWN;
        }
    }

    /**
     * A query. {@code target} is find_node's {@code target} or the {@code info_hash} of get_peers and
     * announce_peer (null for ping); {@code port}, {@code impliedPort} and {@code token} are
     * announce_peer's; {@code want4}/{@code want6} are BEP 32's {@code want} (both false when absent);
     * {@code readOnly} is BEP 43's {@code ro}.
     */
    record Query(byte[] transactionId, Method method, NodeId sender, NodeId target, boolean want4, boolean want6,
                 int port, boolean impliedPort, byte[] token, boolean readOnly) implements KrpcMessage {

        static Query ping(byte[] tid, NodeId sender, boolean readOnly) {
            return new Query(tid, Method.PING, sender, null, false, false, 0, false, null, readOnly);
        }

        static Query findNode(byte[] tid, NodeId sender, NodeId target, boolean readOnly) {
            return new Query(tid, Method.FIND_NODE, sender, target, false, false, 0, false, null, readOnly);
        }

        static Query getPeers(byte[] tid, NodeId sender, NodeId infoHash, boolean readOnly) {
            return new Query(tid, Method.GET_PEERS, sender, infoHash, false, false, 0, false, null, readOnly);
        }

        static Query announcePeer(byte[] tid, NodeId sender, NodeId infoHash, int port, boolean impliedPort, byte[] token,
                                  boolean readOnly) {
            return new Query(tid, Method.ANNOUNCE_PEER, sender, infoHash, false, false, port, impliedPort, token, readOnly);
        }

        Query withTransactionId(byte[] tid) {
            return new Query(tid, method, sender, target, want4, want6, port, impliedPort, token, readOnly);
        }
    }

    /**
     * A response: {@code nodes}/{@code nodes6} (find_node, get_peers), {@code values} (get_peers
     * peers), {@code token} (get_peers), and {@code requester}, BEP 42's {@code ip}: the address the
     * responder saw us at (null when absent).
     */
    record Response(byte[] transactionId, NodeId sender, List<NodeInfo> nodes, List<NodeInfo> nodes6,
                    List<InetSocketAddress> values, byte[] token, InetSocketAddress requester) implements KrpcMessage {
        public Response {
            nodes = List.copyOf(nodes);
            nodes6 = List.copyOf(nodes6);
            values = List.copyOf(values);
        }
    }

    /** An error reply: 201 generic, 202 server, 203 protocol, 204 method unknown. */
    record Error(byte[] transactionId, long code, String message) implements KrpcMessage {
    }
}
