package org.jtorrent.engine;

/**
 * A snapshot of one open connection.
 *
 * @param client          what the peer calls its software (extension handshake), or empty
 * @param progress        the share of pieces the peer has, 0..1
 * @param downloadedBytes payload it sent us on this connection
 * @param uploadedBytes   payload we sent it on this connection
 * @param choking         whether we choke it
 * @param interested      whether it wants something we have
 * @param snubbed         whether it left our requests unanswered for the snub timeout
 * @param encrypted       whether the connection's payload is RC4-encrypted (MSE)
 */
public record PeerStatus(String address, String client, double progress, long downloadedBytes, long uploadedBytes,
                         boolean choking, boolean interested, boolean snubbed, boolean encrypted) {
}
