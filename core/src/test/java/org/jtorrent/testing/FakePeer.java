package org.jtorrent.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.id.PeerId;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;

/**
 * A scripted seeder in this JVM, listening on loopback: it answers the handshake (no Fast, no
 * extensions), claims every piece, unchokes whoever is interested, and hands each request to a
 * {@link Behaviour}. It records what it saw, so tests can check how the real client treated it.
 */
public final class FakePeer implements AutoCloseable {
    /** What the fake does with each request (and, through {@link Link}, anything else). */
    public interface Behaviour {
        void onRequest(Link link, Message.Request request) throws IOException;

        /** Called once after the fake unchoked. */
        default void afterUnchoke(Link link) throws IOException {
        }

        /** Called once when a connection that was unchoked ends, whoever closed it. */
        default void closed(Link link) {
        }
    }

    /** One connection of the fake. */
    public final class Link {
        private final Socket socket;
        private final OutputStream out;
        private final ReentrantLock writing = new ReentrantLock();
        final int index;
        public int served;
        boolean unchoked;

        Link(Socket socket, OutputStream out, int index) {
            this.socket = socket;
            this.out = out;
            this.index = index;
        }

        public void send(Message m) throws IOException {
            writing.lock();
            try {
                codec.write(m, out);
                out.flush();
            } finally {
                writing.unlock();
            }
        }

        /** The correct block. */
        public byte[] block(Message.Request r) {
            byte[] piece = torrent.piece(r.piece());
            return java.util.Arrays.copyOfRange(piece, r.begin(), r.begin() + r.length());
        }

        public void close() throws IOException {
            socket.close();
        }
    }

    private final TestTorrent torrent;
    private final Behaviour behaviour;
    private final MessageCodec codec;
    private final InetAddress address;
    private final ServerSocket server;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    /** Connections that have ended, whoever closed them. */
    public final AtomicInteger disconnects = new AtomicInteger();
    public final List<Message.Cancel> cancels = new CopyOnWriteArrayList<>();
    /** Requests and cancels in the order they arrived. */
    public final List<Message> log = new CopyOnWriteArrayList<>();

    public FakePeer(TestTorrent torrent, Behaviour behaviour) throws IOException {
        this(torrent, behaviour, InetAddress.getLoopbackAddress());
    }

    /**
     * A fake at its own loopback address (127.0.0.x): bans are by address, so a fake that is to be
     * banned must not share one with the honest peers beside it.
     */
    public FakePeer(TestTorrent torrent, Behaviour behaviour, InetAddress address) throws IOException {
        this.torrent = torrent;
        this.behaviour = behaviour;
        this.codec = new MessageCodec(torrent.metainfo().info().pieceCount());
        this.address = address;
        this.server = new ServerSocket(0, 16, address);
        Thread.ofVirtual().name("fake-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(address, server.getLocalPort());
    }

    /**
     * Dials {@code target} from this fake's address and a new ephemeral port, and serves that
     * connection as it serves accepted ones. Returns the thread serving it, which ends with it.
     */
    public Thread dial(InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(address, 0));
        socket.connect(target, 5_000);
        return Thread.ofVirtual().name("fake-peer-out").start(() -> serve(socket, true));
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().name("fake-peer").start(() -> serve(s, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, boolean dialled) {
        try (socket) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            byte[] handshake = new Handshake(torrent.metainfo().infoHash(), PeerId.random(), false, false).encode();
            if (dialled) { // the dialler speaks first
                out.write(handshake);
                out.flush();
                Handshake.read(in);
            } else {
                Handshake.read(in);
                out.write(handshake);
            }
            Link link = new Link(socket, out, connections.incrementAndGet());
            int pieces = torrent.metainfo().info().pieceCount();
            byte[] bits = new byte[(pieces + 7) / 8];
            for (int p = 0; p < pieces; p++) bits[p >> 3] |= (byte) (0x80 >>> (p & 7));
            link.send(new Message.Bitfield(bits));
            try {
                serveMessages(in, link);
            } finally {
                disconnects.incrementAndGet();
                if (link.unchoked) behaviour.closed(link);
            }
        } catch (IOException e) {
            // the client closed us, or the script did
        }
    }

    private void serveMessages(DataInputStream in, Link link) throws IOException {
        while (true) {
            Message m = codec.read(in);
            switch (m) {
                case Message.Interested i -> {
                    if (!link.unchoked) {
                        link.unchoked = true;
                        link.send(new Message.Unchoke());
                        behaviour.afterUnchoke(link);
                    }
                }
                case Message.Request r -> {
                    requests.incrementAndGet();
                    log.add(r);
                    behaviour.onRequest(link, r);
                }
                case Message.Cancel c -> {
                    cancels.add(c);
                    log.add(c);
                }
                default -> { }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
