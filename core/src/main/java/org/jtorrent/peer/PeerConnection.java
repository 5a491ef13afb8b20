package org.jtorrent.peer;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.mse.DecryptingChannel;
import org.jtorrent.mse.DecryptingInput;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.mse.MseHandshake;
import org.jtorrent.mse.ObfuscatedHash;
import org.jtorrent.wire.BlockRef;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.FrameReader;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.Message.*;
import org.jtorrent.wire.MessageCodec;
import org.jtorrent.wire.ProtocolException;

/**
 * One peer, both ways: we request blocks it has and serve blocks it asks for. A connection of a
 * torrent still fetching its metadata (a magnet link) starts without a piece layout: it keeps what
 * the peer says it has, within bounds, and asks for nothing until {@link #layoutKnown}. Blocking I/O on
 * threads that cost little while the peer is idle, so that a process holds thousands of
 * connections: a reader that handles every incoming message (and owns the request pipeline); a
 * writer, the only thread that writes the socket, draining the connection's {@link Outbox}; both
 * virtual while the connection is quiet and moved to a platform thread while it is busy
 * ({@link ThreadPace}); an uploader that reads requested blocks from storage and posts them, a
 * virtual thread started when requests arrive and gone once they stop; and, instead of a timer
 * thread, a periodic check on the process's one {@link ConnectionTimers} thread for keep-alives, the
 * idle timeout, snubbing and the write deadline (a socket read timeout would tear frames apart
 * mid-read). Buffers follow the same rule: the write buffer and the reader's large buffer are
 * borrowed while data moves ({@link LeasedBufferOutput}, {@link FrameReader#release}).
 *
 * <p>No thread does socket I/O while holding a lock another thread takes: the reader, the engine's
 * threads (choke, have, cancel, refill) and the timer only post messages to the outbox, which never
 * blocks. A peer that stops reading stalls only the writer; the timer, which never waits for a
 * connection, drops it once a write has made no progress for {@code writeTimeout}, and a peer whose
 * unwritten messages pass {@code maxQueuedBytes} (say, floods requests and never reads the rejects)
 * is dropped at once.
 *
 * <p>Anything that breaks the protocol (an unrequested block or reject, spare bitfield bits, an
 * out-of-range piece, an oversized frame, Fast messages without Fast) closes the connection; the
 * blocks we had requested go back to the picker, and nothing the peer sent reaches the disk
 * unverified.
 */
public final class PeerConnection implements AutoCloseable {
    private static final String CLIENT = "jtorrent 0.1";
    private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);
    /** Diffie-Hellman keys and pads of MSE handshakes. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketChannel channel;
    private final Socket socket; // the channel's, for its options and addresses
    /** What the frame reader reads: the channel, or the channel decrypted in place (MSE with RC4). */
    private final ReadableByteChannel input;
    /** Whether the payload is RC4-encrypted (MSE with RC4 selected). */
    private final boolean encrypted;
    /** Written by the writer thread only; buffered, so a burst leaves in large writes. */
    private final LeasedBufferOutput out;
    private final Outbox outbox;
    /** When the writer entered the socket write it is in; 0 while it is not in one. For the write deadline. */
    private volatile long writingSince;
    /**
     * Guards the connection state below; held by the reader while it handles a message, never
     * across socket I/O. ReentrantLock, not synchronized: a virtual thread that waits on a monitor
     * pins its carrier on JDK 21.
     */
    private final ReentrantLock state = new ReentrantLock();
    private final PeerHost host;
    private final PeerConfig config;
    /**
     * The torrent's piece layout and the codec checking against it; null and a bounding codec while
     * the torrent is fetching its metadata (a magnet link), set once by {@link #layoutKnown}.
     */
    private volatile PieceLayout layout;
    private volatile MessageCodec codec;
    private volatile FrameReader frames;
    private final Handshake remote;
    private final boolean fast;
    private final boolean extensions;

    // Guarded by "state".
    private final BitSet peerHas = new BitSet();
    private final BitSet allowedFast = new BitSet();
    private final Set<BlockRef> requested = new LinkedHashSet<>();
    /**
     * Blocks we cancelled (end game loser, snub): the peer may still send them, or reject them
     * (Fast), once; that is not a protocol violation. A peer without Fast that honours a cancel
     * says nothing, so entries can linger: the oldest are forgotten past {@link #cancelledCap()}.
     */
    private final Set<BlockRef> cancelled = new LinkedHashSet<>();
    /** When a block last arrived, or requests went out to an idle pipeline: the snub clock. */
    private long lastProgress = System.nanoTime();
    private boolean snubbed;
    private final RequestPipeline pipeline;
    private boolean peerChoking = true;
    private boolean amInterested;
    private volatile boolean amChoking = true;
    private volatile boolean peerInterested;
    private volatile boolean snubbedView; // what the choker reads; the guarded flag is "snubbed"
    private final long connectedAt = System.nanoTime();
    private volatile Optional<String> peerClient = Optional.empty();
    /** Our extensions by the id we advertised for each. */
    private volatile Map<Integer, PeerExtension> extensionsById;
    /** The peer's last extension handshake, for extensions that join later (at {@link #layoutKnown}); null before. */
    private volatile ExtensionHandshake peerExtensionHandshake;
    /** The peer's {@code m}: extension name to the id it wants that extension's messages under. */
    private volatile Map<String, Integer> peerExtensionIds = Map.of();
    /**
     * What the peer said it has before we knew the piece count (guarded by "state"; dropped at
     * {@link #layoutKnown}): its bitfield as sent, the haves (indices below the bounding codec's
     * count, so at most {@link #MAX_PIECES_BEFORE_METADATA} bits), and "have all".
     */
    private byte[] earlyBitfield;
    private final BitSet earlyHaves = new BitSet();
    private boolean earlyHaveAll;
    /**
     * The most pieces a torrent we fetch the metadata of can have: each piece takes a 20-byte hash
     * in the info dictionary, and we accept at most {@link org.jtorrent.wire.MetadataMessage#MAX_SIZE}.
     * Bounds a bitfield (192 KiB) and a have index before the real count is known.
     */
    public static final int MAX_PIECES_BEFORE_METADATA = (int) (org.jtorrent.wire.MetadataMessage.MAX_SIZE / 20);

    private final LinkedBlockingDeque<BlockRef> uploads = new LinkedBlockingDeque<>();
    /** Whether an uploader thread is running (or about to): at most one at a time. */
    private final AtomicBoolean uploading = new AtomicBoolean();
    /** Bytes of blocks read for this peer and not yet written: what its send window holds of the host's memory. */
    private final AtomicLong sendBufferHeld = new AtomicLong();
    private final AtomicLong downloaded = new AtomicLong();
    private final AtomicLong uploaded = new AtomicLong();
    private volatile long lastReceived = System.nanoTime();
    private volatile long lastSent = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable closeReason;
    // The threads running the loops now, for join(); a loop that moves to another thread replaces its entry.
    private volatile Thread reader;
    private volatile Thread writer;
    private volatile Thread uploader;
    private volatile ConnectionTimers.Registration timer;
    /** How often the timer looks while traffic is in flight (a tenth of the shortest timeout, 50 ms to 1 s). */
    private long activeCheckNanos;
    /**
     * Set by the timer when it found nothing in flight and scheduled its next look at the idle
     * deadlines only; the first post or write after that pokes it ({@link #activity}). Set before
     * the timer looks, read by posters after they post: one of the two sees the other.
     */
    private volatile boolean timerAtRest;
    private volatile String name = "peer"; // the peer's address, for thread names, once started
    /** We dialled it: {@link #address()} is where it listens (PEX lists it there). */
    private volatile boolean outgoing;

    /**
     * Bytes of pieces that may wait for the writer. The writer is woken once per half of it (see
     * {@link Outbox#postPiece}): at 128 KiB a loopback upload cost visibly more CPU in wake-ups.
     */
    private static final int PIECE_WINDOW = 512 * 1024;
    /**
     * How long an uploader with nothing to do waits for the next request before its thread ends: a
     * steady stream of requests keeps one thread, an idle connection has none.
     */
    private static final long UPLOAD_LINGER_MILLIS = 200;
    /**
     * How long an uploader waits for the memory budget to give room for the next block before it
     * refuses the request: memory taken by other peers' send windows comes back as they are written.
     */
    private static final java.time.Duration SEND_BUFFER_WAIT = java.time.Duration.ofSeconds(5);
    /** A platform writer with nothing to write for this long moves back to a virtual thread. */
    private static final long WRITER_IDLE_NANOS = 1_000_000_000L;

    private PeerConnection(SocketChannel channel, Handshake remote, PeerHost host, PeerConfig config, Transport transport)
            throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.input = transport.input();
        this.encrypted = transport.encrypted();
        this.out = new LeasedBufferOutput(new WatchedOutput(transport.output()));
        this.remote = remote;
        this.host = host;
        this.config = config;
        this.layout = host.layout();
        this.codec = layout == null ? MessageCodec.beforeMetadata(MAX_PIECES_BEFORE_METADATA) : new MessageCodec(layout.pieceCount());
        // A bitfield always fits, whatever the bound: twice the largest frame.
        this.outbox = new Outbox(Math.max(config.maxQueuedBytes(), 2L * (4 + codec.maxFrameLength())), PIECE_WINDOW);
        this.fast = remote.fast();
        this.extensions = remote.extension();
        this.pipeline = new RequestPipeline(config.queueSeconds(), config.maxPipeline(), ExtensionHandshake.DEFAULT_REQQ);
        this.extensionsById = byLocalId(host.extensions());
    }

    private static Map<Integer, PeerExtension> byLocalId(List<PeerExtension> extensions) {
        Map<Integer, PeerExtension> byId = new HashMap<>();
        for (PeerExtension e : extensions) {
            if (e.localId() < 1 || e.localId() > 255 || byId.putIfAbsent(e.localId(), e) != null) {
                throw new IllegalArgumentException("extension ids must be unique, 1 to 255: " + e.name() + " " + e.localId());
            }
        }
        return Map.copyOf(byId);
    }

    /**
     * Dials a peer and completes the handshake (we speak first), or throws. The connect and the
     * handshake share one deadline, {@code handshakeTimeout}. With {@link EncryptionPolicy#PREFER}
     * the handshake is MSE first, offering plaintext and RC4; a peer that closes or resets it (a
     * plaintext-only peer does) is dialled once more in plaintext, as libtorrent does. With
     * {@code REQUIRE} only RC4 is offered; with {@code DISABLE}, only plaintext is spoken.
     */
    public static PeerConnection connect(InetSocketAddress address, SocketAddress bind, PeerHost host, PeerConfig config)
            throws IOException {
        EncryptionPolicy policy = config.encryption();
        if (policy != EncryptionPolicy.PREFER) return dial(address, bind, host, config, policy == EncryptionPolicy.REQUIRE);
        try {
            return dial(address, bind, host, config, true);
        } catch (EncryptionRefused e) {
            return dial(address, bind, host, config, false);
        }
    }

    private static PeerConnection dial(InetSocketAddress address, SocketAddress bind, PeerHost host, PeerConfig config,
                                       boolean mse) throws IOException {
        long deadline = System.nanoTime() + config.handshakeTimeout().toNanos();
        SocketChannel channel = SocketChannel.open();
        try {
            if (bind != null) channel.bind(bind);
            channel.socket().connect(address, (int) Math.max(1, config.handshakeTimeout().toMillis()));
            PeerConnection dialled = initiate(channel, host, config, mse, deadline);
            dialled.outgoing = true;
            return dialled;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The peer closed or reset our MSE handshake before it completed: it may speak plaintext only. */
    private static final class EncryptionRefused extends IOException {
        EncryptionRefused(IOException cause) {
            super("MSE handshake refused: " + cause.getMessage(), cause);
        }
    }

    /**
     * Completes the handshake of an accepted connection (the peer speaks first) within
     * {@code handshakeTimeout} from now, or throws and closes it.
     */
    public static PeerConnection accept(SocketChannel channel, PeerHost host, PeerConfig config) throws IOException {
        ObfuscatedHash obfuscated = ObfuscatedHash.of(host.infoHash());
        return accept(channel, new PeerRouter() {
            @Override
            public PeerHost byInfoHash(InfoHash offered) {
                return offered.equals(host.infoHash()) ? host : null;
            }

            @Override
            public PeerHost byObfuscatedHash(ObfuscatedHash offered) {
                return offered.equals(obfuscated) ? host : null;
            }
        }, config);
    }

    /**
     * Completes the handshake of an accepted connection for whichever torrent its handshake names:
     * {@code route} gives the host of an info-hash, or null when we do not serve it (the connection is
     * then closed before we say anything, as libtorrent does). One deadline, {@code handshakeTimeout}.
     * Such a router knows no obfuscated hashes: MSE connections are refused.
     */
    public static PeerConnection accept(SocketChannel channel, Function<InfoHash, PeerHost> route, PeerConfig config)
            throws IOException {
        return accept(channel, new PeerRouter() {
            @Override
            public PeerHost byInfoHash(InfoHash offered) {
                return route.apply(offered);
            }

            @Override
            public PeerHost byObfuscatedHash(ObfuscatedHash offered) {
                return null;
            }
        }, config);
    }

    /**
     * Completes the handshake of an accepted connection, plaintext or MSE as {@code config}'s policy
     * allows, for the torrent {@code router} finds by the info-hash of a plaintext handshake or the
     * obfuscated hash of an MSE one. One deadline, {@code handshakeTimeout}.
     */
    public static PeerConnection accept(SocketChannel channel, PeerRouter router, PeerConfig config) throws IOException {
        try {
            return respond(channel, router, config, System.nanoTime() + config.handshakeTimeout().toNanos());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static PeerConnection initiate(SocketChannel channel, PeerHost host, PeerConfig config, boolean mse,
                                           long deadline) throws IOException {
        Socket socket = channel.socket();
        socket.setTcpNoDelay(true);
        // Unbuffered: the handshake reads exactly its bytes, and what follows is the frame reader's.
        InputStream in = new DeadlineInput(socket, deadline, config.handshakeTimeout().toMillis());
        // Our first bytes go into a fresh connection's send buffer: these writes do not wait for the peer.
        OutputStream out = socket.getOutputStream();
        MseHandshake.Result crypto = null;
        if (mse) {
            try {
                // Our handshake travels as the initial payload (IA), encrypted.
                crypto = MseHandshake.initiate(in, out, host.infoHash(), config.encryption().provide(), ourHandshake(host), RANDOM);
            } catch (SocketTimeoutException | ProtocolException e) {
                throw e;
            } catch (IOException e) {
                throw new EncryptionRefused(e);
            }
            in = crypto.input(in);
        } else {
            out.write(ourHandshake(host));
        }
        Handshake theirs = Handshake.read(in);
        theirs.requireInfoHash(host.infoHash());
        if (theirs.peerId().equals(host.localId())) throw new ProtocolException("connected to ourselves");
        return new PeerConnection(channel, theirs, host, config, Transport.of(channel, crypto, in));
    }

    private static PeerConnection respond(SocketChannel channel, PeerRouter router, PeerConfig config, long deadline)
            throws IOException {
        Socket socket = channel.socket();
        socket.setTcpNoDelay(true);
        InputStream in = new DeadlineInput(socket, deadline, config.handshakeTimeout().toMillis());
        OutputStream out = socket.getOutputStream();
        EncryptionPolicy policy = config.encryption();
        // 19 "BitTorrent protocol" is a plaintext handshake; anything else is an MSE public key (or
        // garbage). With encryption disabled the first byte decides, as before MSE.
        byte[] head = new byte[1 + PROTOCOL.length];
        int first = in.read();
        if (first < 0) throw new ProtocolException("connection closed before the handshake");
        head[0] = (byte) first;
        int read = 1;
        boolean plaintext = policy == EncryptionPolicy.DISABLE;
        if (first == PROTOCOL.length && !plaintext) {
            new DataInputStream(in).readFully(head, 1, PROTOCOL.length);
            read = head.length;
            plaintext = Arrays.equals(head, 1, head.length, PROTOCOL, 0, PROTOCOL.length);
        }
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(head, 0, read), in);
        if (plaintext) {
            if (policy == EncryptionPolicy.REQUIRE) throw new ProtocolException("plaintext handshake refused: encryption is required");
            Handshake theirs = Handshake.read(rest);
            PeerHost host = router.byInfoHash(theirs.infoHash());
            if (host == null) throw new ProtocolException("no torrent with info-hash " + theirs.infoHash().hex());
            if (theirs.peerId().equals(host.localId())) throw new ProtocolException("connected to ourselves");
            out.write(ourHandshake(host));
            return new PeerConnection(channel, theirs, host, config, Transport.of(channel, null, rest));
        }
        PeerHost[] routed = new PeerHost[1];
        MseHandshake.Result crypto = MseHandshake.respond(rest, out, offered -> {
            routed[0] = router.byObfuscatedHash(offered);
            return routed[0] == null ? null : routed[0].infoHash();
        }, policy, RANDOM);
        PeerHost host = routed[0];
        InputStream decrypted = crypto.input(rest); // the peer's IA first: the start of its handshake
        Handshake theirs = Handshake.read(decrypted);
        theirs.requireInfoHash(host.infoHash());
        if (theirs.peerId().equals(host.localId())) throw new ProtocolException("connected to ourselves");
        crypto.output(out).write(ourHandshake(host));
        return new PeerConnection(channel, theirs, host, config, Transport.of(channel, crypto, decrypted));
    }

    /**
     * What the connection reads and writes once the handshake is done: the socket channel itself for
     * plaintext (today's path, untouched), or the channel decrypted in place and the socket's stream
     * encrypted on its way out.
     */
    private record Transport(ReadableByteChannel input, OutputStream output, boolean encrypted) {
        static Transport of(SocketChannel channel, MseHandshake.Result crypto, InputStream handshakeInput) throws IOException {
            OutputStream socketOut = channel.socket().getOutputStream();
            if (crypto == null) return new Transport(channel, socketOut, false);
            long stillEncrypted = handshakeInput instanceof DecryptingInput d ? d.remaining() : 0;
            ReadableByteChannel input = stillEncrypted == 0 ? channel : new DecryptingChannel(channel, crypto.decrypt(), stillEncrypted);
            return new Transport(input, crypto.output(socketOut), crypto.rc4());
        }
    }

    private static byte[] ourHandshake(PeerHost host) {
        return new Handshake(host.infoHash(), host.localId(), true, true).encode();
    }

    /**
     * The socket's stream with one deadline for all reads: each read may wait only for what is left
     * of it. A per-read timeout would let a peer that sends a byte just inside it hold the handshake
     * (and a handshake slot) for 68 times the timeout.
     */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final long timeoutMillis;

        DeadlineInput(Socket socket, long deadline, long timeoutMillis) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw expired();
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                return in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                throw expired();
            }
        }

        private SocketTimeoutException expired() {
            return new SocketTimeoutException("no complete handshake within " + timeoutMillis + " ms");
        }
    }

    /**
     * Sends our greeting and starts the connection: its reader and writer on virtual threads (they
     * move to platform threads while busy) and its periodic check on the shared timer thread.
     */
    public void start() {
        name = String.valueOf(address());
        try {
            greet();
        } catch (IOException e) {
            close(e);
            return;
        }
        FrameReader frames = new FrameReader(codec, input);
        this.frames = frames;
        startReader(frames, false);
        startWriter(false);
        long shortest = Math.min(Math.min(config.snubTimeout().toMillis(), config.writeTimeout().toMillis()),
                Math.min(config.keepAliveAfter().toMillis(), config.idleTimeout().toMillis()));
        long period = Math.max(50, Math.min(1000, shortest / 10));
        activeCheckNanos = period * 1_000_000L;
        timer = ConnectionTimers.schedule(period, this::tick);
        if (closed.get()) timer.cancel(); // closed meanwhile: close() may have missed it
    }

    /** A new thread for one of the loops: platform (daemon) or virtual. */
    private Thread newThread(boolean platform, String role, Runnable loop) {
        return (platform ? Thread.ofPlatform().daemon() : Thread.ofVirtual()).name(role + name).unstarted(loop);
    }

    /** Runs the reader loop on a new thread. False if the thread could not be started (none left). */
    private boolean startReader(FrameReader frames, boolean platform) {
        try {
            Thread t = newThread(platform, platform ? "peer-read " : "peer-read-v ", () -> readLoop(frames, platform));
            reader = t;
            t.start();
            return true;
        } catch (OutOfMemoryError e) { // "unable to create native thread": stay where we are
            return false;
        }
    }

    private boolean startWriter(boolean platform) {
        try {
            Thread t = newThread(platform, platform ? "peer-write " : "peer-write-v ", () -> writeLoop(platform));
            writer = t;
            t.start();
            return true;
        } catch (OutOfMemoryError e) {
            return false;
        }
    }

    /** Our extension handshake (BEP 10): the host's extensions under their ids, our port, metadata_size. */
    private Extended ourExtensionHandshake() {
        return ourExtensionHandshake(Map.of());
    }

    /** The same, disabling (id 0) the extensions in {@code gone}: BEP 10 keeps what an update leaves out. */
    private Extended ourExtensionHandshake(Map<Integer, PeerExtension> gone) {
        Map<String, Integer> m = new HashMap<>();
        gone.values().forEach(e -> m.put(e.name(), 0));
        extensionsById.forEach((id, e) -> m.put(e.name(), id));
        // yourip: the peer's address as we see it, so a peer behind NAT learns its external address (BEP 10).
        Optional<java.net.InetAddress> yourIp = socket.getRemoteSocketAddress() instanceof InetSocketAddress a
                ? Optional.ofNullable(a.getAddress()) : Optional.empty();
        ExtensionHandshake ext = new ExtensionHandshake(Optional.of(CLIENT), config.ourReqq(), host.listenPort(), m,
                host.metadataSize(), yourIp);
        return new Extended(0, ext.encode());
    }

    /**
     * With the state lock held: takes up the extensions the host offers now, if they changed (a
     * magnet torrent's run adds {@code ut_pex} and serves its metadata once it has it). BEP 10 lets
     * a later extension handshake update the first, so the peer hears the new {@code m} and
     * {@code metadata_size}; the extensions that left hear the connection is gone for them, and
     * those that came hear the peer's handshake, as if it had just arrived.
     */
    private void refreshExtensions() throws IOException {
        Map<Integer, PeerExtension> now = byLocalId(host.extensions());
        Map<Integer, PeerExtension> before = extensionsById;
        if (now.equals(before)) return;
        extensionsById = now;
        Map<Integer, PeerExtension> gone = new HashMap<>(before);
        gone.values().removeIf(now::containsValue);
        for (PeerExtension e : gone.values()) e.closed(this);
        if (!extensions) return;
        send(List.of(ourExtensionHandshake(gone))); // a private torrent's metadata turns ut_metadata off
        ExtensionHandshake theirs = peerExtensionHandshake;
        if (theirs == null) return;
        for (PeerExtension e : now.values()) if (!before.containsValue(e)) e.handshake(this, theirs);
    }

    private void greet() throws IOException {
        List<Message> hello = new ArrayList<>();
        if (extensions) hello.add(ourExtensionHandshake());
        if (layout == null) { // no metadata yet, so nothing to offer: BEP 6 wants a summary first all the same
            if (fast) hello.add(new HaveNone());
            send(hello);
            return;
        }
        BitSet have = host.have();
        if (fast && have.cardinality() == layout.pieceCount()) hello.add(new HaveAll());
        else if (fast && have.isEmpty()) hello.add(new HaveNone());
        else if (!have.isEmpty()) hello.add(new Message.Bitfield(toWire(have)));
        send(hello);
    }

    // ---- reading ----

    /**
     * Reads and handles messages until the connection closes, or until the loop moves to another
     * kind of thread ({@link ThreadPace}): then it starts its successor with the same frame reader
     * and returns.
     */
    private void readLoop(FrameReader frames, boolean platform) {
        ThreadPace pace = new ThreadPace();
        try {
            while (!closed.get()) {
                Message m = frames.next(this::onBlock);
                long now = System.nanoTime();
                lastReceived = now;
                if (m != null) { // null: a block, handled by onBlock
                    state.lock();
                    try {
                        handle(m);
                    } finally {
                        state.unlock();
                    }
                }
                switch (pace.event(now)) {
                    case BUSY -> {
                        if (!platform && ThreadPace.acquirePlatform()) {
                            if (startReader(frames, true)) return;
                            ThreadPace.releasePlatform();
                        }
                    }
                    case QUIET -> {
                        frames.release(); // a quiet connection holds no large buffer
                        if (platform && startReader(frames, false)) return;
                    }
                    case SAME -> { }
                }
            }
        } catch (Throwable e) {
            close(e);
        } finally {
            if (platform) ThreadPace.releasePlatform();
        }
    }

    /** A block's payload, in the reader's buffer for the length of this call. */
    private void onBlock(int piece, int begin, ByteBuffer buffer, int offset, int length) throws IOException {
        state.lock();
        try {
            if (!closed.get()) onPiece(new BlockRef(piece, begin, length), buffer, offset);
        } finally {
            state.unlock();
        }
        // Throttle by not reading on: TCP pushes back on the sender. Outside the lock, so a
        // throttled reader never holds up the engine's calls into this connection.
        try {
            host.downloadLimit().acquire(length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while throttled");
        }
    }

    private void handle(Message m) throws IOException {
        if (closed.get()) return; // read before close() returned our blocks: act on nothing more
        switch (m) {
            case KeepAlive k -> { }
            case Choke c -> onChoke();
            case Unchoke u -> {
                peerChoking = false;
                lastProgress = System.nanoTime();
                fillPipeline();
            }
            case Interested i -> {
                peerInterested = true;
                host.interestChanged(this); // the choker decides, possibly at once (a free slot)
            }
            case NotInterested n -> {
                peerInterested = false;
                host.interestChanged(this);
            }
            case Have h -> {
                if (layout == null) {
                    earlyHaves.set(h.piece()); // below the bounding codec's count
                    return;
                }
                if (h.piece() >= layout.pieceCount()) throw new ProtocolException("have of piece " + h.piece() + " out of range");
                if (!peerHas.get(h.piece())) {
                    peerHas.set(h.piece());
                    host.peerHas(h.piece());
                }
                updateInterestAndRequest();
            }
            // BEP 3 wants the bitfield first and once; aria2 sends "have none" and later a bitfield
            // as an update. Pieces are never un-had, so a later summary can only add: merge it.
            case Message.Bitfield b -> {
                if (layout == null) {
                    keepEarlyBitfield(b.bits());
                    return;
                }
                MessageCodec.checkBitfield(b.bits(), layout.pieceCount()); // it may have been read before the layout came
                addPeerHas(fromWire(b.bits()));
            }
            case HaveAll a -> {
                requireFast(m);
                if (layout == null) {
                    earlyHaveAll = true;
                    return;
                }
                BitSet all = new BitSet();
                all.set(0, layout.pieceCount());
                addPeerHas(all);
            }
            case HaveNone n -> requireFast(m);
            case Request r -> onRequest(r.block());
            case Cancel c -> onCancel(c.block());
            case Piece p -> throw new IllegalStateException("blocks arrive through onBlock, never as messages");
            case RejectRequest r -> {
                requireFast(m);
                if (cancelled.remove(r.block())) return; // the answer to our cancel
                if (!requested.remove(r.block())) throw new ProtocolException("reject for a block never requested: " + r);
                host.returned(this, List.of(r.block()));
                fillPipeline();
            }
            case AllowedFast a -> {
                requireFast(m);
                allowedFast.set(a.piece());
                fillPipeline();
            }
            case SuggestPiece s -> requireFast(m); // a hint; rarest-first is the better policy for us
            case Port p -> { } // no DHT yet
            case Extended e -> onExtended(e);
            case Unknown u -> { } // BEP 3: ignore what we do not understand
        }
    }

    private void requireFast(Message m) throws ProtocolException {
        if (!fast) throw new ProtocolException(m.getClass().getSimpleName() + " without the Fast extension");
    }

    /** A bitfield before the metadata: kept as sent (a later one merged in, and of the same length), checked at {@link #layoutKnown}. */
    private void keepEarlyBitfield(byte[] bits) throws ProtocolException {
        if (earlyBitfield == null) {
            earlyBitfield = bits;
            return;
        }
        if (earlyBitfield.length != bits.length) throw new ProtocolException("bitfields of " + earlyBitfield.length + " and " + bits.length + " bytes");
        for (int i = 0; i < bits.length; i++) earlyBitfield[i] |= bits[i];
    }

    /**
     * The torrent's metadata arrived ({@link PeerHost#layout()} now answers): what the peer said it
     * has so far is checked against the real piece count (a bitfield of the wrong length, spare bits
     * set or a have out of range close the connection, as they would have at once), handed to the
     * host, and the connection goes on as any other: our pieces (as haves), interest, requests.
     * Called once, by the engine, on a thread that holds no connection's lock.
     */
    public void layoutKnown() {
        state.lock();
        try {
            if (closed.get() || layout != null) return;
            PieceLayout known = host.layout();
            int pieces = known.pieceCount();
            BitSet had = new BitSet();
            if (earlyBitfield != null) {
                MessageCodec.checkBitfield(earlyBitfield, pieces);
                had.or(fromWire(earlyBitfield, pieces));
            }
            if (earlyHaves.length() > pieces) throw new ProtocolException("have of piece " + (earlyHaves.length() - 1) + " out of range");
            had.or(earlyHaves);
            if (earlyHaveAll) had.set(0, pieces);
            earlyBitfield = null;
            earlyHaves.clear();
            MessageCodec exact = new MessageCodec(pieces);
            layout = known;
            codec = exact;
            FrameReader reader = frames;
            if (reader != null) reader.codec(exact);
            refreshExtensions();
            BitSet have = host.have();
            List<Message> haves = new ArrayList<>(have.cardinality());
            for (int p = have.nextSetBit(0); p >= 0; p = have.nextSetBit(p + 1)) haves.add(new Have(p));
            if (!haves.isEmpty()) send(haves);
            addPeerHas(had);
        } catch (IOException e) {
            close(e);
        } finally {
            state.unlock();
        }
    }

    private void addPeerHas(BitSet pieces) throws IOException {
        pieces.andNot(peerHas); // availability counts each piece of a peer once
        peerHas.or(pieces);
        host.peerHas(pieces);
        updateInterestAndRequest();
    }

    private void onExtended(Extended e) throws IOException {
        if (e.id() != 0) {
            PeerExtension extension = extensionsById.get(e.id());
            if (extension != null) extension.received(this, e.payload());
            return; // an id we never advertised: unsolicited, skipped as BEP 10 lets us
        }
        ExtensionHandshake ext = ExtensionHandshake.decode(e.payload());
        peerClient = ext.client();
        pipeline.peerReqq(ext.reqq());
        // BEP 10: a later handshake updates the first; what it leaves out stays as it was (0 disables).
        Map<String, Integer> ids = new HashMap<>(peerExtensionIds);
        ids.putAll(ext.extensions());
        peerExtensionIds = Map.copyOf(ids);
        peerExtensionHandshake = ext;
        for (PeerExtension extension : extensionsById.values()) extension.handshake(this, ext);
    }

    /** Whether the peer said it speaks this extension (a non-zero id in its {@code m}). */
    public boolean peerSupports(String extension) {
        Integer id = peerExtensionIds.get(extension);
        return id != null && id != 0;
    }

    /**
     * Posts an extension message under the id the peer gave that extension; false, and nothing
     * sent, if the peer does not speak it. Never blocks; throws as {@code send} does when the peer
     * has stopped reading.
     */
    public boolean sendExtended(String extension, byte[] payload) throws IOException {
        Integer id = peerExtensionIds.get(extension);
        if (id == null || id == 0 || closed.get()) return false;
        send(List.of(new Extended(id, payload)));
        return true;
    }

    private void onChoke() {
        peerChoking = true;
        // BEP 6: with Fast, a choke does not cancel requests; the peer rejects each one it drops.
        // Without it, everything outstanding is implicitly cancelled: give the blocks back.
        if (!fast && !requested.isEmpty()) {
            host.returned(this, List.copyOf(requested));
            requested.clear();
        }
        cancelled.clear(); // BEP 3: a choke drops every request, cancelled ones too
    }

    private void onPiece(BlockRef block, ByteBuffer buffer, int offset) throws IOException {
        // A peer answers requests in order: a cancelled request (older) is answered before a
        // request for the same block made again since.
        if (!cancelled.remove(block) && !requested.remove(block)) throw new ProtocolException("block never requested: " + block);
        long now = System.nanoTime();
        downloaded.addAndGet(block.length());
        pipeline.received(block.length(), now);
        lastProgress = now;
        snubbed = false;
        snubbedView = false;
        host.received(this, block, buffer, offset);
        fillPipeline();
    }

    /**
     * Withdraws a request for a block that arrived from another peer (end game): a cancel goes
     * out, and a copy that arrives anyway is accepted once, as a duplicate. The caller is the
     * winning connection's reader, which holds its own state lock; taking ours on its thread would
     * deadlock two connections cancelling each other's blocks, so the withdrawal runs on a thread
     * of its own (end game only: a handful), which posts the cancel.
     */
    public void cancel(BlockRef block) {
        if (!closed.get()) Thread.ofVirtual().name("peer-cancel " + address()).start(() -> withdraw(block));
    }

    private void withdraw(BlockRef block) {
        state.lock();
        try {
            // The cancel runs late: by now the piece may have failed its hash and this very block
            // been requested from us again. Such a request is ours in the picker: keep it.
            if (closed.get() || !requested.contains(block) || host.owns(this, block)) return;
            requested.remove(block);
            rememberCancelled(List.of(block));
            send(List.of(new Cancel(block.piece(), block.begin(), block.length())));
        } catch (IOException e) {
            close(e);
        } finally {
            state.unlock();
        }
    }

    private void rememberCancelled(List<BlockRef> blocks) {
        cancelled.addAll(blocks);
        var oldest = cancelled.iterator();
        while (cancelled.size() > cancelledCap()) {
            oldest.next();
            oldest.remove();
        }
    }

    private int cancelledCap() {
        return 2 * config.maxPipeline();
    }

    /**
     * Called by the timer. A peer that holds our requests without answering for
     * {@code snubTimeout} is snubbed: its blocks go back to the picker for other peers (with a
     * cancel each) and it keeps one request at a time, so it can prove itself again. Still silent
     * three times that long after the snub, it is dropped, so its slot goes to another peer.
     */
    private void checkSnub(long now) throws IOException {
        if (!state.tryLock()) return; // the reader is handling a message: look again at the next tick
        try {
            long timeout = config.snubTimeout().toNanos();
            if (closed.get() || requested.isEmpty()) { // nothing asked, nothing owed
                lastProgress = now;
                return;
            }
            if (snubbed && now - lastProgress > 3 * timeout) {
                throw new ProtocolException("snubbed us for " + 3 * config.snubTimeout().toSeconds() + " s");
            }
            if (!snubbed && now - lastProgress > timeout) {
                snubbed = true;
                snubbedView = true;
                List<BlockRef> withdrawn = List.copyOf(requested);
                requested.clear();
                rememberCancelled(withdrawn);
                List<Message> cancels = new ArrayList<>(withdrawn.size());
                for (BlockRef b : withdrawn) cancels.add(new Cancel(b.piece(), b.begin(), b.length()));
                host.returned(this, withdrawn);
                send(cancels);
                fillPipeline(); // one request keeps the snub clock running: answer it, or be dropped
            }
        } finally {
            state.unlock();
        }
    }

    /**
     * Called by the engine when blocks became wanted again (a piece failed its hash, more files
     * were selected, the sequential window slid): reconsider interest, then top up the pipeline.
     */
    public void refill() {
        state.lock();
        try {
            if (!closed.get()) updateInterestAndRequest();
        } catch (IOException e) {
            close(e);
        } finally {
            state.unlock();
        }
    }

    /** Called by the engine when a piece verified: tell the peer, and reconsider interest. */
    public void pieceVerified(int piece) {
        try {
            send(List.of(new Have(piece)));
            state.lock();
            try {
                if (amInterested && !host.wants(peerHas)) {
                    amInterested = false;
                    send(List.of(new NotInterested()));
                }
            } finally {
                state.unlock();
            }
        } catch (IOException e) {
            close(e);
        }
    }

    private void updateInterestAndRequest() throws IOException {
        if (layout == null) return; // nothing to want before the metadata
        boolean wants = host.wants(peerHas);
        if (wants != amInterested) {
            amInterested = wants;
            send(List.of(wants ? new Interested() : new NotInterested()));
        }
        fillPipeline();
    }

    /** Tops the pipeline up to its current depth with blocks the peer can serve us now. */
    private void fillPipeline() throws IOException {
        if (!amInterested) return;
        int depth = snubbed ? 1 : pipeline.depth();
        int room = depth - requested.size();
        // Top up in batches of an eighth of the pipeline: one write carries many requests, instead
        // of a system call per arriving block, and the pipe never drains meanwhile.
        if (room <= 0 || (room < depth / 8 && !requested.isEmpty())) return;
        BitSet candidates = (BitSet) peerHas.clone();
        if (peerChoking) candidates.and(allowedFast);
        if (candidates.isEmpty()) return;
        List<BlockRef> picked = host.pick(this, candidates, room);
        if (picked.isEmpty()) return;
        if (requested.isEmpty()) lastProgress = System.nanoTime(); // the snub clock starts with the first request
        List<Message> requests = new ArrayList<>(picked.size());
        for (BlockRef b : picked) {
            requested.add(b);
            requests.add(new Request(b.piece(), b.begin(), b.length()));
        }
        send(requests);
    }

    // ---- serving ----

    private void onRequest(BlockRef block) throws IOException {
        if (layout == null) { // nothing to serve before the metadata (and we said so)
            if (fast) send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
            return;
        }
        if (!layout.isValidRequest(block.piece(), block.begin(), block.length()) || block.length() > MessageCodec.MAX_BLOCK) {
            throw new ProtocolException("request outside the piece or larger than 16 KiB: " + block);
        }
        boolean allowed = !amChoking && host.have().get(block.piece()) && uploads.size() < config.ourReqq();
        if (allowed) {
            uploads.addLast(block);
            if (uploading.compareAndSet(false, true)) startUploader();
        } else if (fast) {
            send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
        } // without Fast, a request we will not serve is simply dropped (BEP 3)
    }

    private void onCancel(BlockRef block) throws IOException {
        // BEP 6: with Fast every request gets exactly one answer, a cancelled one a reject.
        if (uploads.remove(block) && fast) send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
    }

    private void startUploader() {
        Thread t = Thread.ofVirtual().name("peer-upload " + name).unstarted(this::uploadLoop);
        uploader = t;
        t.start();
    }

    /**
     * Reads requested blocks from storage and posts them, waiting for the rate limit and for room in
     * the outbox's piece window, never for the socket. Runs while requests come; once none has come
     * for {@link #UPLOAD_LINGER_MILLIS} the thread ends, and the next request starts another.
     */
    private void uploadLoop() {
        try {
            while (!closed.get()) {
                BlockRef block = uploads.poll();
                if (block == null) {
                    outbox.wakeWriter(); // nothing more in hand: what was posted without a wake-up goes now
                    block = uploads.poll(UPLOAD_LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    if (block == null) {
                        uploading.set(false);
                        // A request queued after the poll but before the flag fell saw the flag up and
                        // started no uploader: it is ours.
                        if (uploads.isEmpty() || !uploading.compareAndSet(false, true)) return;
                        continue;
                    }
                }
                if (!host.reserveSendBuffer(block.length(), SEND_BUFFER_WAIT)) { // memory spent on send windows
                    if (fast) send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
                    continue;
                }
                sendBufferHeld.addAndGet(block.length());
                byte[] data = host.read(block);
                if (data == null) {
                    releaseSendBuffer(block.length());
                    if (fast) send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
                    continue;
                }
                host.uploadLimit().acquire(data.length);
                if (amChoking) { // choked while we waited: the choke already answered the queue
                    releaseSendBuffer(block.length());
                    if (fast) send(List.of(new RejectRequest(block.piece(), block.begin(), block.length())));
                    continue;
                }
                // More to come: the writer may wait for a few pieces. Not under a rate limit, whose
                // next wait could hold them back.
                boolean moreComing = !uploads.isEmpty() && host.uploadLimit().buckets().isEmpty();
                if (!outbox.postPiece(new Piece(block.piece(), block.begin(), data), moreComing)) { // closed
                    releaseSendBuffer(block.length());
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Throwable e) {
            close(e);
        }
    }

    // ---- timers ----

    /**
     * The check, on the shared timer thread ({@link ConnectionTimers}); returns when it is due next.
     * Never waits for the connection: the deadlines first, lock-free; the snub check only if the
     * state is free. Closing calls into the engine, so it runs on a thread of its own, and the timer
     * thread goes on to the next connection.
     *
     * <p>While anything is in flight (our requests, a message queued or being written) it looks
     * again within {@link #activeCheckNanos}. Otherwise only the keep-alive and the idle timeout
     * can expire, and it looks again at the first of them; a snub or write deadline can begin only
     * with a post or a write, and those poke it first ({@link #activity}). 2,000 idle connections
     * cost a few dozen checks a second instead of 2,000.
     */
    private long tick(long now) {
        if (closed.get()) return now + activeCheckNanos;
        try {
            long writing = writingSince;
            if (now - lastReceived > config.idleTimeout().toNanos()) {
                closeElsewhere(new ProtocolException("no message for " + config.idleTimeout().toSeconds() + " s"));
                return now + activeCheckNanos;
            } else if (writing != 0 && now - writing > config.writeTimeout().toNanos()) {
                closeElsewhere(new ProtocolException("not reading: a write made no progress for " + config.writeTimeout().toMillis() + " ms"));
                return now + activeCheckNanos;
            }
            checkSnub(now);
            if (now - lastSent > config.keepAliveAfter().toNanos() && outbox.isEmpty()) send(List.of(new KeepAlive()));
        } catch (IOException e) {
            closeElsewhere(e);
            return now + activeCheckNanos;
        }
        timerAtRest = true; // before looking: a post or write from here on pokes (activity())
        if (writingSince != 0 || !outbox.drained() || requestsOutstanding()) {
            timerAtRest = false;
            return now + activeCheckNanos;
        }
        return Math.min(lastSent + config.keepAliveAfter().toNanos(), lastReceived + config.idleTimeout().toNanos());
    }

    /** Whether we wait for blocks from the peer (the snub clock runs); true when the reader holds the state. */
    private boolean requestsOutstanding() {
        if (!state.tryLock()) return true;
        try {
            return !requested.isEmpty();
        } finally {
            state.unlock();
        }
    }

    /** A post or a write happened: a timer at rest looks again soon, as a deadline may now run. */
    private void activity() {
        if (!timerAtRest) return;
        timerAtRest = false;
        ConnectionTimers.Registration t = timer;
        if (t != null) t.poke(activeCheckNanos);
    }

    /** When the timer looks at this connection next, on the {@link System#nanoTime()} clock, unless poked (for tests). */
    long nextCheckAt() {
        ConnectionTimers.Registration t = timer;
        return t == null ? Long.MAX_VALUE : t.due();
    }

    private void closeElsewhere(Throwable why) {
        ConnectionTimers.Registration t = timer;
        if (t != null) t.cancel(); // no second close from the next tick
        Thread.ofVirtual().name("peer-close " + name).start(() -> close(why));
    }

    // ---- writing ----

    /**
     * Posts messages for the writer; never blocks, so any thread may call it, holding any lock.
     * Throws if the peer has left more unwritten than {@code maxQueuedBytes}: it is not reading.
     */
    private void send(List<? extends Message> messages) throws IOException {
        if (!outbox.post(messages)) {
            throw new ProtocolException("not reading: more than " + config.maxQueuedBytes() + " bytes queued for it");
        }
        activity();
    }

    /**
     * The only thread that writes the socket: whatever is queued, then a flush once nothing more is.
     * Writes stay large because the uploader wakes this thread once per half window of pieces
     * ({@link Outbox#postPiece}), not once per piece. Like the reader, it moves to a platform thread
     * while it wakes often and back once it is quiet (a platform writer waits at most
     * {@link #WRITER_IDLE_NANOS} to notice); one loop at a time, handing over between batches.
     */
    private void writeLoop(boolean platform) {
        ThreadPace pace = new ThreadPace();
        List<Message> batch = new ArrayList<>();
        try {
            while (outbox.takeAll(batch, platform ? WRITER_IDLE_NANOS : -1)) {
                if (batch.isEmpty()) { // a platform writer that had nothing to do for a while
                    if (startWriter(false)) return;
                    continue;
                }
                long pieceBytes = 0;
                for (Message m : batch) {
                    codec.write(m, out);
                    if (m instanceof Piece p) pieceBytes += p.data().length;
                }
                outbox.written(batch);
                batch.clear();
                uploaded.addAndGet(pieceBytes);
                releaseSendBuffer(pieceBytes);
                if (outbox.isEmpty()) out.flush();
                long now = System.nanoTime();
                lastSent = now;
                switch (pace.event(now)) { // between batches: the successor goes on with the same buffered stream
                    case BUSY -> {
                        if (!platform && ThreadPace.acquirePlatform()) {
                            if (startWriter(true)) return;
                            ThreadPace.releasePlatform();
                        }
                    }
                    case QUIET -> {
                        if (platform && startWriter(false)) return;
                    }
                    case SAME -> { }
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Throwable e) {
            close(e);
        } finally {
            if (platform) ThreadPace.releasePlatform();
        }
    }

    /** The socket's stream, timing each write for the deadline. Unbuffered: the buffer is above it. */
    private final class WatchedOutput extends FilterOutputStream {
        WatchedOutput(OutputStream socketStream) {
            super(socketStream);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writingSince = System.nanoTime();
            activity(); // after writingSince: a timer at rest either sees the write or is poked
            try {
                this.out.write(b, off, len); // the socket's stream (FilterOutputStream.out)
            } finally {
                writingSince = 0;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /**
     * Gives back up to {@code bytes} of the send window's share of the memory budget. Never more
     * than is held: close gives back everything at once, and a writer or uploader that finishes
     * after it must not give the same bytes back twice.
     */
    private void releaseSendBuffer(long bytes) {
        long released;
        while (true) {
            long held = sendBufferHeld.get();
            released = Math.min(held, bytes);
            if (sendBufferHeld.compareAndSet(held, held - released)) break;
        }
        if (released > 0) host.releaseSendBuffer(released);
    }

    // ---- lifecycle and views ----

    public void close(Throwable why) {
        if (!closed.compareAndSet(false, true)) return;
        closeReason = why;
        outbox.close(); // wakes the writer and the uploader
        releaseSendBuffer(Long.MAX_VALUE); // what was queued will not be written
        try {
            socket.close(); // a writer blocked in a write lets go
        } catch (IOException ignored) {
            // already closing
        }
        // No thread is interrupted: an interrupt during FileChannel I/O (the uploader reading a block,
        // the reader spilling one to disk) would close the channel for every other user. The
        // uploader polls and sees "closed" within its poll interval; the writer is woken by the outbox.
        ConnectionTimers.Registration t = timer;
        if (t != null) t.cancel();
        // The reader thread may still be inside handle(); it exits at its next read (socket closed).
        List<BlockRef> outstanding;
        BitSet had;
        state.lock(); // held only briefly: nobody does socket I/O under it
        try {
            outstanding = List.copyOf(requested);
            requested.clear();
            had = (BitSet) peerHas.clone();
        } finally {
            state.unlock();
        }
        if (!outstanding.isEmpty()) host.returned(this, outstanding);
        for (PeerExtension extension : extensionsById.values()) extension.closed(this);
        host.closed(this, had, why);
    }

    @Override
    public void close() {
        close(null);
    }

    /**
     * Chokes or unchokes the peer (the engine's choker decides). A choke drops the requests the peer
     * has queued with us; with the Fast extension each gets its reject, as BEP 6 requires.
     */
    public void choke(boolean choke) {
        if (closed.get() || amChoking == choke) return;
        state.lock();
        try {
            if (amChoking == choke) return;
            amChoking = choke;
            List<Message> messages = new ArrayList<>();
            messages.add(choke ? new Choke() : new Unchoke());
            if (choke) {
                for (BlockRef b; (b = uploads.poll()) != null; ) {
                    if (fast) messages.add(new RejectRequest(b.piece(), b.begin(), b.length()));
                }
            }
            send(messages);
        } catch (IOException e) {
            close(e);
        } finally {
            state.unlock();
        }
    }

    public boolean isChoking() {
        return amChoking;
    }

    public boolean isPeerInterested() {
        return peerInterested;
    }

    /** Whether the peer has held our requests unanswered past the snub timeout. */
    public boolean isSnubbed() {
        return snubbedView;
    }

    /** Monotonic nanos when this connection was made. */
    public long connectedAt() {
        return connectedAt;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Why the connection closed (null: closed by us, or still open). */
    public Throwable closeReason() {
        return closeReason;
    }

    public SocketAddress address() {
        return socket.getRemoteSocketAddress();
    }

    /** Whether we dialled this peer (its address is then one it accepts connections on). */
    public boolean isOutgoing() {
        return outgoing;
    }

    /** Whether the payload is RC4-encrypted (MSE with RC4 selected). */
    public boolean encrypted() {
        return encrypted;
    }

    public Handshake remoteHandshake() {
        return remote;
    }

    public Optional<String> peerClient() {
        return peerClient;
    }

    /** Whether the peer has (or, once closed, had) every piece. */
    public boolean peerHasAll() {
        PieceLayout known = layout;
        return known != null && peerPieceCount() == known.pieceCount();
    }

    /** How many pieces the peer has (or, once closed, had). */
    public int peerPieceCount() {
        state.lock();
        try {
            return peerHas.cardinality();
        } finally {
            state.unlock();
        }
    }

    public long downloaded() {
        return downloaded.get();
    }

    public long uploaded() {
        return uploaded.get();
    }

    /** Waits for the connection's threads to finish (after close). */
    public void join(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        // A loop may have moved to a new thread meanwhile: look again until none is running.
        while (System.currentTimeMillis() < deadline) {
            boolean running = false;
            for (Thread t : new Thread[] {reader, writer, uploader}) {
                if (t != null && t.isAlive()) {
                    running = true;
                    t.join(Math.max(1, deadline - System.currentTimeMillis()));
                }
            }
            if (!running) return;
        }
    }

    private byte[] toWire(BitSet have) {
        byte[] bits = new byte[(layout.pieceCount() + 7) / 8];
        have.stream().forEach(p -> bits[p >> 3] |= (byte) (0x80 >>> (p & 7)));
        return bits;
    }

    private BitSet fromWire(byte[] bits) {
        return fromWire(bits, layout.pieceCount());
    }

    private static BitSet fromWire(byte[] bits, int pieceCount) {
        BitSet set = new BitSet(pieceCount);
        for (int p = 0; p < pieceCount; p++) if ((bits[p >> 3] & (0x80 >>> (p & 7))) != 0) set.set(p);
        return set;
    }
}
