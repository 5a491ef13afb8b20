package org.jtorrent.testing;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.pex.PexMessage;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;

/**
 * A scripted peer that speaks the extension protocol: it handshakes (with the extension bit),
 * says what it likes in its extension handshake, sends whatever the test scripts, and collects the
 * {@code ut_pex} messages it receives (under the id it gave, {@link #PEX_ID}).
 */
public final class ScriptedPexPeer implements AutoCloseable {
    /** The id this peer wants ut_pex messages under: not ours (1), so routing by the peer's id is tested. */
    public static final int PEX_ID = 9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final MessageCodec codec;
    private final ReentrantLock writing = new ReentrantLock();
    public final BlockingQueue<PexMessage> pex = new LinkedBlockingQueue<>();
    /** Our side's extension handshake, once it arrived. */
    public volatile ExtensionHandshake theirs;
    public volatile boolean closedByPeer;

    private ScriptedPexPeer(Socket socket, int pieceCount) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
        this.codec = new MessageCodec(pieceCount);
    }

    /** Dials {@code target} and handshakes (we speak first). */
    public static ScriptedPexPeer dial(InetSocketAddress target, InfoHash infoHash, int pieceCount) throws IOException {
        ScriptedPexPeer p = new ScriptedPexPeer(new Socket(target.getAddress(), target.getPort()), pieceCount);
        p.out.write(new Handshake(infoHash, PeerId.random(), false, true).encode());
        Handshake.read(p.in);
        p.startReading();
        return p;
    }

    /** Accepts one connection on {@code server} and answers its handshake. */
    public static ScriptedPexPeer accept(ServerSocket server, InfoHash infoHash, int pieceCount) throws IOException {
        ScriptedPexPeer p = new ScriptedPexPeer(server.accept(), pieceCount);
        Handshake.read(p.in);
        p.out.write(new Handshake(infoHash, PeerId.random(), false, true).encode());
        p.startReading();
        return p;
    }

    /** Our extension handshake: ut_pex under {@link #PEX_ID} if {@code pex}, and {@code p} if positive. */
    public ScriptedPexPeer greet(boolean pex, int listenPort) throws IOException {
        Map<String, Integer> m = pex ? Map.of(PexMessage.NAME, PEX_ID) : Map.of();
        send(new Message.Extended(0, new ExtensionHandshake(Optional.of("scripted"), 250, listenPort, m).encode()));
        return this;
    }

    public void send(Message m) throws IOException {
        writing.lock();
        try {
            out.write(codec.encode(m));
            out.flush();
        } finally {
            writing.unlock();
        }
    }

    /** Sends a raw ut_pex payload under {@code id} (a peer that ignores what the other side advertised). */
    public void sendPex(int id, byte[] payload) throws IOException {
        send(new Message.Extended(id, payload));
    }

    /** Sends a raw ut_pex payload under the id the other side advertised. */
    public void sendPex(byte[] payload) throws IOException {
        send(new Message.Extended(theirs.extensions().get(PexMessage.NAME), payload));
    }

    public PexMessage nextPex(long millis) throws InterruptedException {
        return pex.poll(millis, TimeUnit.MILLISECONDS);
    }

    private void startReading() {
        Thread.ofVirtual().name("scripted-pex").start(() -> {
            try {
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    if (frame.length == 0 || frame[0] != 20) continue; // only extension messages matter here
                    Message.Extended e = (Message.Extended) codec.decode(ByteBuffer.wrap(frame));
                    if (e.id() == 0) theirs = ExtensionHandshake.decode(e.payload());
                    else if (e.id() == PEX_ID) pex.add(PexMessage.decode(e.payload(), 10_000));
                }
            } catch (IOException e) {
                closedByPeer = true;
            }
        });
    }

    /** Waits until our side's extension handshake arrived. */
    public ExtensionHandshake awaitTheirs() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (theirs == null && System.nanoTime() < deadline) Thread.sleep(5);
        if (theirs == null) throw new AssertionError("no extension handshake");
        return theirs;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
