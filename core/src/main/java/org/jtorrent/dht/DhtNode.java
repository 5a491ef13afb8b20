package org.jtorrent.dht;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.bencode.BencodeLimits;

/**
 * A Mainline DHT node (BEP 5) on one UDP socket: it answers ping, find_node, get_peers and
 * announce_peer, keeps a {@link RoutingTable}, stores announced peers, and runs iterative
 * lookups. The socket's family (IPv4 or IPv6, BEP 32) is the family of the node and of its table.
 *
 * <p>Threading. The constructor starts nothing. {@link #start()} binds the socket and starts two
 * threads: a receive loop (one blocking {@code receive} after another; it decodes, answers
 * queries and matches responses) and a single-thread scheduler (query timeouts, lookup steps,
 * maintenance). All mutable state (table, peer store, tokens, pending queries, rate limiter,
 * external-address votes) is guarded by one lock, held only for in-memory work: packets are
 * encoded under it and sent after it is released, and futures are completed outside it.
 * {@link #close()} closes the socket and stops both threads; pending futures fail.
 *
 * <p>Security: every packet is decoded with hard bounds ({@link Krpc}); queries are rate limited
 * per source IP; a reply is trimmed to at most {@code replyFactor} times its request's size;
 * responses are matched by transaction id and source address, anything else is dropped; only
 * nodes that answered our queries enter the table; memory is bounded by the config's caps.
 */
public final class DhtNode implements AutoCloseable {
    private static final int TRANSACTION_ID_BYTES = 4;
    private static final int MAX_PINGS_PER_TICK = 8;
    private static final Duration MAX_BOOTSTRAP_BACKOFF = Duration.ofMinutes(5);
    private static final int MAX_VOTE_ADDRESSES = 16;
    private static final int MAX_VOTERS = 64;
    private static final int MAX_RECENT_PINGS = 1024;

    private record Pending(InetSocketAddress address, NodeId expected, CompletableFuture<KrpcMessage.Response> future,
                           long sentNanos, ScheduledFuture<?>[] timeout) {
    }

    private final DhtConfig config;
    private final boolean v6;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final Tokens tokens;
    private final PeerStore store;
    private final SourceLimiter limiter;
    private final Map<InetAddress, Set<InetAddress>> externalVotes = new LinkedHashMap<>();
    private final List<NodeInfo> restoredNodes = new ArrayList<>();
    /** Addresses pinged because they queried us, cleared every minute; bounded. */
    private final Set<InetSocketAddress> recentlyPinged = new LinkedHashSet<>() {
        @Override
        public boolean add(InetSocketAddress a) {
            if (size() >= MAX_RECENT_PINGS) return false;
            return super.add(a);
        }
    };
    private long recentPingsClearedNanos = System.nanoTime();
    private volatile Consumer<String> events = line -> { };
    private volatile DhtNode sibling;
    private RoutingTable table;
    private int nextTransaction;
    private DatagramChannel channel;
    private Thread receiver;
    private ScheduledThreadPoolExecutor scheduler;
    private volatile boolean closed;
    private boolean bootstrapping;
    private long nextBootstrapNanos;
    private Duration bootstrapBackoff;
    private long received, malformed, rateLimited, unmatched, answered, sent, badTokens;

    public DhtNode(DhtConfig config) {
        this(config, null);
    }

    /** A node with a given id (tests, or the id saved from a previous run); null picks one. */
    public DhtNode(DhtConfig config, NodeId id) {
        this.config = config;
        this.v6 = config.bind().getAddress() instanceof Inet6Address;
        this.tokens = new Tokens(config.clock(), random);
        this.store = new PeerStore(config.peersPerInfoHash(), config.maxInfoHashes(), config.maxPeers(), config.clock());
        this.limiter = new SourceLimiter(config.queriesPerSecond(), config.queriesPerSecond() * 5, config.maxSources());
        this.table = new RoutingTable(id != null ? id : initialId(config.bind().getAddress()), config.k(), config.onePerAddress(), config.clock());
        this.nextTransaction = random.nextInt();
        this.bootstrapBackoff = config.maintenance();
    }

    private static NodeId initialId(InetAddress bind) {
        return NodeId.bep42Applies(bind) ? NodeId.forAddress(bind) : NodeId.random();
    }

    /** Where to send one line per event worth knowing (bootstrap done, peer announced, new id...). */
    public void onEvent(Consumer<String> listener) {
        this.events = listener;
    }

    /** The node of the other address family, whose table answers BEP 32 {@code want} for it. */
    public void pairWith(DhtNode other) {
        this.sibling = other;
        other.sibling = this;
    }

    public NodeId id() {
        lock.lock();
        try {
            return table.self();
        } finally {
            lock.unlock();
        }
    }

    public boolean isIpv6() {
        return v6;
    }

    public DhtConfig config() {
        return config;
    }

    // ---- lifecycle ----

    public void start() throws IOException {
        if (channel != null) throw new IllegalStateException("already started");
        channel = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.bind(config.bind());
        } catch (IOException e) {
            channel.close();
            throw new IOException("DHT cannot bind UDP " + config.bind() + ": " + e.getMessage(), e);
        }
        scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dht-timer-" + localAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        receiver = Thread.ofPlatform().daemon().name("dht-receive-" + localAddress().getPort()).start(this::receiveLoop);
        long period = Math.max(10, config.maintenance().toMillis());
        scheduler.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
        events.accept("dht node " + id() + " listening on udp " + format(localAddress()) + (config.readOnly() ? " (read-only)" : ""));
        scheduler.execute(this::bootstrap);
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("DHT socket closed", e);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (scheduler != null) scheduler.shutdownNow();
        List<Pending> left;
        lock.lock();
        try {
            left = new ArrayList<>(pending.values());
            pending.clear();
        } finally {
            lock.unlock();
        }
        for (Pending p : left) p.future.completeExceptionally(new ClosedChannelException());
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- persistence ----

    /** Our id and the live nodes of the table, bencoded, for the next run to bootstrap from. */
    public byte[] saveState() {
        lock.lock();
        try {
            List<NodeInfo> nodes = table.nodes();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", table.self().bytes());
            d.put(v6 ? "nodes6" : "nodes", Compact.nodes(nodes, v6));
            return Bencode.encode(d);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the nodes (and, if it still fits our address, the id) saved by {@link #saveState()};
     * call before {@link #start()}. The nodes are asked first when bootstrapping. Returns how many
     * nodes were read; a damaged state is ignored (0).
     */
    public int restoreState(byte[] state) {
        if (state.length > 64 * 1024) return 0;
        try {
            if (!(Bencode.decode(state, new BencodeLimits(2, 16)).root() instanceof BDict d)) return 0;
            lock.lock();
            try {
                if (d.get("id").orElse(null) instanceof BString id && id.length() == NodeId.LENGTH) {
                    NodeId saved = NodeId.of(id.bytes());
                    InetAddress bind = config.bind().getAddress();
                    if (!NodeId.bep42Applies(bind) || saved.matchesAddress(bind) || bind.isAnyLocalAddress()) {
                        table = new RoutingTable(saved, config.k(), config.onePerAddress(), config.clock());
                    }
                }
                if (d.get(v6 ? "nodes6" : "nodes").orElse(null) instanceof BString nodes) {
                    restoredNodes.clear();
                    restoredNodes.addAll(Compact.parseNodes(nodes.bytes(), v6, 160 * config.k()));
                }
                return restoredNodes.size();
            } finally {
                lock.unlock();
            }
        } catch (BencodeException e) {
            return 0;
        }
    }

    // ---- receiving ----

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(Krpc.MAX_PACKET + 1);
        while (!closed) {
            InetSocketAddress from;
            try {
                buffer.clear();
                from = (InetSocketAddress) channel.receive(buffer);
            } catch (IOException e) {
                if (!closed) events.accept("dht receive failed: " + e.getMessage());
                return;
            }
            if (from == null) continue;
            try {
                handle(buffer.array(), buffer.position(), from);
            } catch (RuntimeException e) {
                // a packet never stops the loop; count it as malformed
                lock.lock();
                try {
                    malformed++;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Handles one datagram (the receive thread; tests call it directly through {@link #receiveLoop}). */
    private void handle(byte[] packet, int length, InetSocketAddress from) {
        Optional<KrpcMessage> decoded = length > Krpc.MAX_PACKET ? Optional.empty() : Krpc.decode(packet, length);
        lock.lock();
        try {
            received++;
            if (decoded.isEmpty()) malformed++;
        } finally {
            lock.unlock();
        }
        if (decoded.isEmpty()) return;
        switch (decoded.get()) {
            case KrpcMessage.Query q -> answer(q, length, from);
            case KrpcMessage.Response r -> matched(r.transactionId(), from, r, null);
            case KrpcMessage.Error e -> matched(e.transactionId(), from, null, e);
        }
    }

    private void matched(byte[] tid, InetSocketAddress from, KrpcMessage.Response response, KrpcMessage.Error error) {
        Pending p;
        lock.lock();
        try {
            p = tid.length == TRANSACTION_ID_BYTES ? pending.get(transactionKey(tid)) : null;
            if (p == null || !p.address.equals(from)) {
                unmatched++;
                return;
            }
            pending.remove(transactionKey(tid));
            if (p.timeout[0] != null) p.timeout[0].cancel(false);
            if (response != null) {
                table.heardFrom(new NodeInfo(response.sender(), from), true);
                if (response.requester() != null) vote(response.requester().getAddress(), from.getAddress());
            }
        } finally {
            lock.unlock();
        }
        if (response != null) p.future.complete(response);
        else p.future.completeExceptionally(new KrpcErrorException(error.code(), error.message()));
    }

    /** Thrown into a query's future when the node answers with a KRPC error. */
    public static final class KrpcErrorException extends IOException {
        public final long code;

        KrpcErrorException(long code, String message) {
            super("KRPC error " + code + ": " + message);
            this.code = code;
        }
    }

    // ---- answering ----

    private void answer(KrpcMessage.Query q, int requestLength, InetSocketAddress from) {
        if (config.readOnly()) return; // BEP 43: a read-only node answers nothing
        if (from.getPort() == 0) return;
        List<NodeInfo> otherFamily = List.of();
        DhtNode other = sibling;
        boolean wantOwn = !(q.want4() || q.want6()) || (v6 ? q.want6() : q.want4());
        boolean wantOther = v6 ? q.want4() : q.want6();
        if (wantOther && other != null && q.target() != null) otherFamily = other.closest(q.target());
        byte[] reply;
        boolean pingSender = false;
        String event = null;
        lock.lock();
        try {
            if (!limiter.allow(from.getAddress(), System.nanoTime())) {
                rateLimited++;
                return;
            }
            answered++;
            NodeId self = table.self();
            KrpcMessage message;
            switch (q.method()) {
                case PING -> message = response(q, self, List.of(), List.of(), List.of(), null, from);
                case FIND_NODE -> message = withNodes(q, self, wantOwn, otherFamily, List.of(), null, from);
                case GET_PEERS -> {
                    List<InetSocketAddress> values = store.peers(q.target(), v6, Krpc.MAX_VALUES, random);
                    message = withNodes(q, self, wantOwn, otherFamily, values, tokens.issue(from.getAddress()), from);
                }
                case ANNOUNCE_PEER -> {
                    if (!tokens.accepts(q.token(), from.getAddress())) {
                        badTokens++;
                        message = new KrpcMessage.Error(q.transactionId(), 203, "bad token");
                    } else {
                        int port = q.impliedPort() ? from.getPort() : q.port();
                        InetSocketAddress peer = new InetSocketAddress(from.getAddress(), port);
                        boolean known = store.has(q.target());
                        store.announce(q.target(), peer);
                        if (!known) event = "announce stored: " + q.target() + " peer " + format(peer);
                        message = response(q, self, List.of(), List.of(), List.of(), null, from);
                    }
                }
                default -> message = new KrpcMessage.Error(q.transactionId(), 204, "method unknown");
            }
            reply = trimmed(message, requestLength);
            // a node that queries us may belong in the table: ping it (once a minute at most, so two nodes
            // that do not know each other cannot ping each other forever)
            NodeInfo sender = new NodeInfo(q.sender(), from);
            if (!q.readOnly() && pending.size() < config.maxPending() / 4 && table.wouldAdd(sender) && recentlyPinged.add(from)) {
                pingSender = true;
            }
        } finally {
            lock.unlock();
        }
        if (reply != null) transmit(reply, from);
        if (event != null) events.accept(event);
        if (pingSender) ping(from);
    }

    private KrpcMessage.Response withNodes(KrpcMessage.Query q, NodeId self, boolean wantOwn, List<NodeInfo> otherFamily,
                                           List<InetSocketAddress> values, byte[] token, InetSocketAddress from) {
        List<NodeInfo> own = wantOwn ? table.closest(q.target(), config.k()) : List.of();
        List<NodeInfo> n4 = v6 ? otherFamily : own;
        List<NodeInfo> n6 = v6 ? own : otherFamily;
        return new KrpcMessage.Response(q.transactionId(), self, n4, n6, values, token, from);
    }

    private static KrpcMessage.Response response(KrpcMessage.Query q, NodeId self, List<NodeInfo> n4, List<NodeInfo> n6,
                                                 List<InetSocketAddress> values, byte[] token, InetSocketAddress from) {
        return new KrpcMessage.Response(q.transactionId(), self, n4, n6, values, token, from);
    }

    /**
     * The encoded reply, trimmed until it is at most {@code replyFactor} times the request (values
     * first, then IPv6 nodes, then IPv4 nodes), so that nobody can use us to amplify a spoofed
     * flood. A reply that cannot be made small enough is not sent.
     */
    private byte[] trimmed(KrpcMessage message, int requestLength) {
        long budget = (long) config.replyFactor() * requestLength;
        byte[] encoded = Krpc.encode(message);
        while (encoded.length > budget && message instanceof KrpcMessage.Response r) {
            List<InetSocketAddress> values = r.values();
            List<NodeInfo> n4 = r.nodes();
            List<NodeInfo> n6 = r.nodes6();
            if (!values.isEmpty()) values = values.subList(0, values.size() / 2);
            else if (!n6.isEmpty()) n6 = n6.subList(0, n6.size() - 1);
            else if (!n4.isEmpty()) n4 = n4.subList(0, n4.size() - 1);
            else return null;
            message = new KrpcMessage.Response(r.transactionId(), r.sender(), n4, n6, values, r.token(), r.requester());
            encoded = Krpc.encode(message);
        }
        return encoded.length > budget ? null : encoded;
    }

    /** The k nodes of this table closest to {@code target} (for the sibling's BEP 32 replies). */
    List<NodeInfo> closest(NodeId target) {
        lock.lock();
        try {
            return table.closest(target, config.k());
        } finally {
            lock.unlock();
        }
    }

    // ---- querying ----

    private void transmit(byte[] packet, InetSocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(packet), to);
            lock.lock();
            try {
                sent++;
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            // unreachable address or socket closed: the query times out like any lost packet
        }
    }

    private static int transactionKey(byte[] tid) {
        return ((tid[0] & 0xff) << 24) | ((tid[1] & 0xff) << 16) | ((tid[2] & 0xff) << 8) | (tid[3] & 0xff);
    }

    /**
     * Sends {@code query} (its transaction id replaced by a fresh one) to {@code to}. The future
     * completes with the response, or fails on a KRPC error, on timeout, or at once when too many
     * queries are in flight or the address is of the other family.
     */
    public CompletableFuture<KrpcMessage.Response> query(InetSocketAddress to, NodeId expected, KrpcMessage.Query query) {
        CompletableFuture<KrpcMessage.Response> future = new CompletableFuture<>();
        if (closed || channel == null) {
            future.completeExceptionally(new ClosedChannelException());
            return future;
        }
        if (to.isUnresolved() || (to.getAddress() instanceof Inet6Address) != v6 || to.getPort() == 0) {
            future.completeExceptionally(new IOException("cannot reach " + to + " from this node's socket"));
            return future;
        }
        byte[] packet;
        int key;
        lock.lock();
        try {
            if (pending.size() >= config.maxPending()) {
                future.completeExceptionally(new IOException("too many DHT queries in flight"));
                return future;
            }
            do {
                key = nextTransaction++;
            } while (pending.containsKey(key));
            byte[] tid = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
            KrpcMessage.Query q = query.withTransactionId(tid);
            packet = Krpc.encode(new KrpcMessage.Query(tid, q.method(), table.self(), q.target(), q.want4(), q.want6(), q.port(),
                    q.impliedPort(), q.token(), config.readOnly()));
            Pending p = new Pending(to, expected, future, System.nanoTime(), new ScheduledFuture<?>[1]);
            pending.put(key, p);
            int k = key;
            p.timeout[0] = scheduler.schedule(() -> timedOut(k, p), config.queryTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
        transmit(packet, to);
        return future;
    }

    private void timedOut(int key, Pending p) {
        lock.lock();
        try {
            if (!pending.remove(key, p)) return;
            if (p.expected != null) table.failed(new NodeInfo(p.expected, p.address));
        } finally {
            lock.unlock();
        }
        p.future.completeExceptionally(new TimeoutException("no answer from " + p.address));
    }

    private KrpcMessage.Query template(KrpcMessage.Method method, NodeId target) {
        byte[] none = new byte[TRANSACTION_ID_BYTES];
        return switch (method) {
            case PING -> KrpcMessage.Query.ping(none, NodeId.random(random), false);
            case FIND_NODE -> KrpcMessage.Query.findNode(none, NodeId.random(random), target, false);
            case GET_PEERS -> KrpcMessage.Query.getPeers(none, NodeId.random(random), target, false);
            default -> throw new IllegalArgumentException(method.toString());
        };
    }

    /** Pings an address (BEP 5 {@code port} message, or a node that queried us): it enters the table if it answers. */
    public CompletableFuture<KrpcMessage.Response> ping(InetSocketAddress address) {
        return query(address, null, template(KrpcMessage.Method.PING, null));
    }

    /** An iterative find_node for {@code target}. */
    public CompletableFuture<LookupResult> findNode(NodeId target) {
        return lookup(KrpcMessage.Method.FIND_NODE, target, List.of(), peers -> { }).result;
    }

    /** An iterative get_peers for {@code infoHash}: the peers found and the lookup's figures. */
    public CompletableFuture<LookupResult> getPeers(NodeId infoHash) {
        return lookup(KrpcMessage.Method.GET_PEERS, infoHash, List.of(), peers -> { }).result;
    }

    /**
     * get_peers for {@code infoHash}, then announce_peer to the closest nodes that gave a token:
     * {@code port} is our TCP port, or 0 for BEP 5's {@code implied_port} (our UDP source port).
     * In read-only mode nothing is announced.
     */
    public CompletableFuture<LookupResult> announce(NodeId infoHash, int port) {
        return announce(infoHash, port, peers -> { });
    }

    /**
     * {@link #announce(NodeId, int)}, handing peers to {@code onPeers} as replies bring them (on the
     * node's scheduler thread: it must not block), long before the lookup and the announce end.
     */
    public CompletableFuture<LookupResult> announce(NodeId infoHash, int port, Consumer<List<InetSocketAddress>> onPeers) {
        Started started = lookup(KrpcMessage.Method.GET_PEERS, infoHash, List.of(), onPeers);
        return started.result.thenCompose(found -> {
            if (config.readOnly()) return CompletableFuture.completedFuture(found);
            List<CompletableFuture<Boolean>> acks = new ArrayList<>();
            for (Map.Entry<NodeInfo, byte[]> e : started.lookup.tokens().entrySet()) {
                byte[] none = new byte[TRANSACTION_ID_BYTES];
                KrpcMessage.Query q = KrpcMessage.Query.announcePeer(none, id(), infoHash, port, port == 0, e.getValue(), false);
                acks.add(query(e.getKey().address(), e.getKey().id(), q).handle((r, failure) -> failure == null));
            }
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> found.withAnnouncedTo((int) acks.stream().filter(CompletableFuture::join).count()));
        });
    }

    private record Started(Lookup lookup, CompletableFuture<LookupResult> result) {
    }

    private Started lookup(KrpcMessage.Method method, NodeId target, List<InetSocketAddress> seeds,
                           Consumer<List<InetSocketAddress>> onPeers) {
        List<NodeInfo> known;
        NodeId self;
        lock.lock();
        try {
            self = table.self();
            known = new ArrayList<>(table.closest(target, config.k() * 2));
            if (known.size() < config.k()) known.addAll(restoredNodes);
        } finally {
            lock.unlock();
        }
        List<InetSocketAddress> allSeeds = new ArrayList<>(seeds);
        if (known.size() < config.k()) allSeeds.addAll(resolvedBootstrap());
        KrpcMessage.Query template = template(method, target);
        Lookup lookup = new Lookup(self, target, config.k(), config.alpha(), known, allSeeds,
                (address, expected) -> query(address, expected, template), scheduler, Math.max(1, config.queryTimeout().toMillis() / 4), onPeers);
        return new Started(lookup, lookup.start());
    }

    private List<InetSocketAddress> resolvedBootstrap() {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (InetSocketAddress a : config.bootstrap()) {
            if (!a.isUnresolved()) {
                out.add(a);
                continue;
            }
            try {
                for (InetAddress ip : InetAddress.getAllByName(a.getHostString())) {
                    if ((ip instanceof Inet6Address) == v6) out.add(new InetSocketAddress(ip, a.getPort()));
                }
            } catch (UnknownHostException e) {
                events.accept("dht bootstrap node " + a.getHostString() + " not found: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    // ---- maintenance ----

    private void bootstrap() {
        lock.lock();
        try {
            if (bootstrapping || closed) return;
            bootstrapping = true;
        } finally {
            lock.unlock();
        }
        NodeId self = id();
        lookup(KrpcMessage.Method.FIND_NODE, self, List.of(), peers -> { }).result.whenComplete((r, failure) -> {
            int size;
            lock.lock();
            try {
                bootstrapping = false;
                size = table.size();
                if (size > 0) {
                    bootstrapBackoff = config.maintenance();
                } else {
                    nextBootstrapNanos = System.nanoTime() + bootstrapBackoff.toNanos();
                    Duration doubled = bootstrapBackoff.multipliedBy(2);
                    bootstrapBackoff = doubled.compareTo(MAX_BOOTSTRAP_BACKOFF) > 0 ? MAX_BOOTSTRAP_BACKOFF : doubled;
                }
            } finally {
                lock.unlock();
            }
            if (!closed) events.accept("dht bootstrap done: " + size + " nodes in the routing table"
                    + (r == null ? "" : ", " + r.queries() + " queries, " + r.replies() + " replies"));
        });
    }

    private void maintain() {
        if (closed) return;
        List<NodeInfo> toPing;
        List<NodeId> refresh;
        boolean rebootstrap;
        lock.lock();
        try {
            store.expire();
            if (System.nanoTime() - recentPingsClearedNanos > TimeUnit.MINUTES.toNanos(1)) {
                recentlyPinged.clear();
                recentPingsClearedNanos = System.nanoTime();
            }
            List<NodeInfo> questionable = table.questionable();
            toPing = questionable.subList(0, Math.min(MAX_PINGS_PER_TICK, questionable.size()));
            refresh = table.size() == 0 ? List.of() : table.refreshTargets(random);
            rebootstrap = table.size() == 0 && !bootstrapping && System.nanoTime() - nextBootstrapNanos >= 0;
        } finally {
            lock.unlock();
        }
        for (NodeInfo n : toPing) query(n.address(), n.id(), template(KrpcMessage.Method.PING, null));
        for (NodeId target : refresh.subList(0, Math.min(2, refresh.size()))) findNode(target);
        if (rebootstrap) {
            events.accept("dht routing table empty: bootstrapping again");
            bootstrap();
        }
    }

    /**
     * BEP 42: a reply's {@code ip} says where the responder saw us. Once {@code bep42Votes}
     * distinct responders agree on an address our id does not fit, we take an id derived from it
     * and rebuild the table under it (the same nodes, re-sorted). Local addresses never count.
     * Runs under the lock.
     */
    private void vote(InetAddress external, InetAddress voter) {
        if (!NodeId.bep42Applies(external) || (external instanceof Inet6Address) != v6) return;
        if (table.self().matchesAddress(external)) return;
        Set<InetAddress> voters = externalVotes.get(external);
        if (voters == null) {
            if (externalVotes.size() >= MAX_VOTE_ADDRESSES) externalVotes.remove(externalVotes.keySet().iterator().next());
            voters = new LinkedHashSet<>();
            externalVotes.put(external, voters);
        }
        if (voters.size() < MAX_VOTERS) voters.add(voter);
        if (voters.size() < config.bep42Votes()) return;
        externalVotes.clear();
        RoutingTable old = table;
        table = new RoutingTable(NodeId.forAddress(external), config.k(), config.onePerAddress(), config.clock());
        for (NodeInfo n : old.nodes()) table.heardFrom(n, true);
        String line = "dht external address " + external.getHostAddress() + ": new BEP 42 node id " + table.self();
        scheduler.execute(() -> events.accept(line));
    }

    // ---- inspection ----

    public DhtStats stats() {
        lock.lock();
        try {
            return new DhtStats(table.size(), table.replacementCount(), table.bucketCount(), pending.size(), store.infoHashCount(),
                    store.peerCount(), limiter.trackedSources(), received, malformed, rateLimited, unmatched, answered, sent, badTokens);
        } finally {
            lock.unlock();
        }
    }

    /** The live nodes of the routing table. */
    public List<NodeInfo> routingNodes() {
        lock.lock();
        try {
            return table.nodes();
        } finally {
            lock.unlock();
        }
    }

    /** Peers stored here for {@code infoHash} (announced to this node). */
    public List<InetSocketAddress> storedPeers(NodeId infoHash) {
        lock.lock();
        try {
            return store.peers(infoHash, v6, Integer.MAX_VALUE, random);
        } finally {
            lock.unlock();
        }
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() instanceof Inet4Address ? a.getAddress().getHostAddress() : "[" + a.getAddress().getHostAddress() + "]";
        return host + ":" + a.getPort();
    }
}
