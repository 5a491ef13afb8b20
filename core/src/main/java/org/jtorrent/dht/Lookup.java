package org.jtorrent.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

/**
 * One iterative lookup (BEP 5): query the closest known candidates, {@code alpha} at a time, add
 * the nodes each reply names, and finish once the {@code k} closest candidates that did not fail
 * have all answered (or nothing is left to ask). Candidates are capped at {@link #MAX_CANDIDATES}
 * (the farthest dropped), queries at {@link #MAX_QUERIES}, peers at {@link #MAX_PEERS}, so a
 * hostile reply cannot make a lookup grow or run forever.
 *
 * <p>Replies and timeouts are handled on the node's scheduler ({@code executor}), never on the
 * receive thread; the state is still synchronized, since {@link #start()} runs on the caller's
 * thread. Queries go out through {@link Sender}, which never blocks.
 */
final class Lookup {
    static final int MAX_CANDIDATES = 64;
    static final int MAX_QUERIES = 256;
    static final int MAX_PEERS = 2_000;

    interface Sender {
        /** Sends the lookup's query to {@code address}; the future fails on timeout, error or overload. */
        CompletableFuture<KrpcMessage.Response> send(InetSocketAddress address, NodeId expected);
    }

    private enum State { NEW, IN_FLIGHT, REPLIED, FAILED }

    private static final class Candidate {
        final NodeInfo node;
        final int hop;
        State state = State.NEW;
        byte[] token;

        Candidate(NodeInfo node, int hop) {
            this.node = node;
            this.hop = hop;
        }
    }

    private final NodeId target;
    private final NodeId self;
    private final int k;
    private final int alpha;
    private final Sender sender;
    private final Consumer<List<InetSocketAddress>> onPeers;
    private final ScheduledExecutorService executor;
    private final long slowAfterMillis;
    private final TreeMap<NodeId, Candidate> candidates;
    private final Set<InetSocketAddress> asked = new HashSet<>();
    private final Set<InetSocketAddress> peers = new LinkedHashSet<>();
    private final CompletableFuture<LookupResult> result = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private final List<InetSocketAddress> seeds;
    /** Queries in flight that still hold one of the {@code alpha} slots (a slow one gives its slot up). */
    private int inFlight;
    /** Queries in flight in all, slow ones included. */
    private int outstanding;
    private long firstPeersNanos = -1;
    private int queries;
    private int replies;
    private int hops;

    Lookup(NodeId self, NodeId target, int k, int alpha, List<NodeInfo> known, List<InetSocketAddress> seeds, Sender sender,
           ScheduledExecutorService executor, long slowAfterMillis, Consumer<List<InetSocketAddress>> onPeers) {
        this.onPeers = onPeers;
        this.slowAfterMillis = slowAfterMillis;
        this.self = self;
        this.target = target;
        this.executor = executor;
        this.k = k;
        this.alpha = alpha;
        this.sender = sender;
        this.candidates = new TreeMap<>(target::compareDistance);
        this.seeds = seeds;
        for (NodeInfo n : known) add(n, 1);
    }

    CompletableFuture<LookupResult> start() {
        synchronized (this) {
            // seeds (bootstrap nodes) have no id yet: ask them first, outside the candidate order
            for (InetSocketAddress seed : seeds) {
                if (queries >= MAX_QUERIES || !asked.add(seed)) continue;
                query(seed, null, 1);
            }
        }
        step();
        return result;
    }

    private void add(NodeInfo node, int hop) {
        if (node.id().equals(self)) return; // other nodes name us too: asking ourselves proves nothing
        if (asked.contains(node.address()) || candidates.containsKey(node.id())) return;
        candidates.put(node.id(), new Candidate(node, hop));
        while (candidates.size() > MAX_CANDIDATES) {
            var last = candidates.lastEntry();
            if (last.getValue().state == State.IN_FLIGHT) break; // keep what we wait for
            candidates.pollLastEntry();
        }
    }

    private void query(InetSocketAddress address, Candidate candidate, int hop) {
        inFlight++;
        outstanding++;
        queries++;
        hops = Math.max(hops, hop);
        if (candidate != null) candidate.state = State.IN_FLIGHT;
        boolean[] slot = {true}; // whether this query still holds an alpha slot (guarded by this)
        // libtorrent's "short timeout": a query not answered within slowAfter gives its slot to the
        // next candidate, so one dead node does not stall the lookup; its answer still counts if it comes
        executor.schedule(() -> {
            synchronized (this) {
                if (!slot[0]) return;
                slot[0] = false;
                inFlight--;
            }
            step();
        }, slowAfterMillis, TimeUnit.MILLISECONDS);
        sender.send(address, candidate == null ? null : candidate.node.id())
                .whenCompleteAsync((reply, failure) -> answered(candidate, hop, reply, failure, slot), executor);
    }

    private void answered(Candidate candidate, int hop, KrpcMessage.Response reply, Throwable failure, boolean[] slot) {
        List<InetSocketAddress> fresh = new ArrayList<>();
        synchronized (this) {
            if (slot[0]) {
                slot[0] = false;
                inFlight--;
            }
            outstanding--;
            if (failure != null || reply == null) {
                if (candidate != null) candidate.state = State.FAILED;
            } else {
                replies++;
                if (candidate != null) {
                    candidate.state = State.REPLIED;
                    candidate.token = reply.token();
                }
                for (InetSocketAddress p : reply.values()) if (peers.size() < MAX_PEERS && peers.add(p)) fresh.add(p);
                if (!peers.isEmpty() && firstPeersNanos < 0) firstPeersNanos = System.nanoTime() - startNanos;
                for (NodeInfo n : reply.nodes()) add(n, hop + 1);
                for (NodeInfo n : reply.nodes6()) add(n, hop + 1);
            }
        }
        // peers go to the caller as they arrive, not when the lookup ends: a torrent can dial them at once
        if (!fresh.isEmpty()) onPeers.accept(List.copyOf(fresh));
        step();
    }

    private void step() {
        LookupResult done = null;
        synchronized (this) {
            if (result.isDone()) return;
            int considered = 0;
            boolean closestAllReplied = true;
            List<Candidate> toAsk = new ArrayList<>();
            for (Candidate c : candidates.values()) {
                if (c.state == State.FAILED) continue;
                if (considered++ == k) break;
                if (c.state != State.REPLIED) closestAllReplied = false;
                if (c.state == State.NEW && inFlight + toAsk.size() < alpha && queries + toAsk.size() < MAX_QUERIES) toAsk.add(c);
            }
            if ((closestAllReplied && considered > 0) || (toAsk.isEmpty() && outstanding == 0)) {
                done = finish();
            } else {
                for (Candidate c : toAsk) {
                    asked.add(c.node.address());
                    query(c.node.address(), c, c.hop);
                }
            }
        }
        if (done != null) result.complete(done);
    }

    private LookupResult finish() {
        List<NodeInfo> closest = new ArrayList<>();
        for (Candidate c : candidates.values()) {
            if (c.state == State.REPLIED && closest.size() < k) closest.add(c.node);
        }
        return new LookupResult(target, List.copyOf(peers), closest, queries, replies, hops, 0,
                Duration.ofNanos(System.nanoTime() - startNanos), firstPeersNanos < 0 ? null : Duration.ofNanos(firstPeersNanos));
    }

    /** The closest nodes that answered with an announce token, for announce_peer. */
    synchronized Map<NodeInfo, byte[]> tokens() {
        Map<NodeInfo, byte[]> out = new java.util.LinkedHashMap<>();
        for (Candidate c : candidates.values()) {
            if (c.state == State.REPLIED && c.token != null && out.size() < k) out.put(c.node, c.token);
        }
        return out;
    }
}
