package org.jtorrent.engine;

/** What one connection did, for the end-of-run report. */
public record PeerSummary(String address, String client, long downloadedBytes, long uploadedBytes, String closedBecause) {
}
