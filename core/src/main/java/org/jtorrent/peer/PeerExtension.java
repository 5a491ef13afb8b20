package org.jtorrent.peer;

import java.io.IOException;
import org.jtorrent.wire.ExtensionHandshake;

/**
 * One message type of the extension protocol (BEP 10) that a torrent speaks beside the core
 * protocol, such as {@code ut_metadata} or {@code ut_pex}. A torrent offers its extensions through
 * {@link PeerHost#extensions()}; each connection advertises them in its extension handshake under
 * their local ids and hands every message that arrives under one of those ids to its extension.
 *
 * <p>Calls come from the connection's reader thread with the connection's state lock held: an
 * extension must not block. It answers with {@link PeerConnection#sendExtended}, which never does.
 */
public interface PeerExtension {
    /** The name in the {@code m} dictionary, such as {@code "ut_metadata"}. */
    String name();

    /** The id, 1 to 255, that peers send this extension's messages under; unique among a host's extensions. */
    int localId();

    /** The peer's extension handshake arrived (BEP 10 allows later ones as updates). */
    default void handshake(PeerConnection from, ExtensionHandshake theirs) throws IOException {
    }

    /** A message the peer sent under our id. A {@code ProtocolException} closes the connection. */
    void received(PeerConnection from, byte[] payload) throws IOException;

    /** The connection closed: forget what is kept about it. */
    default void closed(PeerConnection connection) {
    }
}
