package org.jtorrent.engine;

/** What one connection did, for the end-of-run report; {@code encrypted}: its payload was RC4-encrypted (MSE). */
public record PeerSummary(String address, String client, long downloadedBytes, long uploadedBytes, String closedBecause,
                          boolean encrypted) {
}
