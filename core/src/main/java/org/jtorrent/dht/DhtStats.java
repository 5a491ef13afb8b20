package org.jtorrent.dht;

/** Counters and sizes of one node, for tests, logs and the figures in docs/dht.md. */
public record DhtStats(int tableSize, int replacements, int buckets, int pendingQueries, int storedInfoHashes, int storedPeers,
                       int trackedSources, long received, long malformed, long rateLimited, long unmatchedResponses,
                       long queriesAnswered, long sent, long badTokens) {
}
