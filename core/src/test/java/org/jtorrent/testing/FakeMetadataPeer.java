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
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtorrent.id.PeerId;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.jtorrent.wire.MetadataMessage;

/**
 * A scripted peer in this JVM that speaks {@code ut_metadata} (BEP 9, under its own id 3) and
 * nothing else of use: it claims every piece but never unchokes, and answers metadata requests as
 * its {@link Script} says. It records what it saw, so tests can check how the client treated it.
 */
public final class FakeMetadataPeer implements AutoCloseable {
    /** Our id for ut_metadata in {@code m}: not the client's 2, so a client that mixes them up fails. */
    static final int OUR_ID = 3;
    /** The total_size the {@link Script#HUGE_SIZE} peer claims. */
    public static final long HUGE = 100L * 1024 * 1024;

    public enum Script {
        /** Serves the real info dictionary. */
        HONEST,
        /** Serves it with a byte of every block flipped. */
        LIAR,
        /** Says metadata_size and total_size are 100 MiB. */
        HUGE_SIZE,
        /** Answers with a data message carrying a 20 KiB block (a malformed, oversized message). */
        OVERSIZED,
        /** Rejects every request. */
        REJECT_ALL,
        /** A bitfield of the right length with a spare bit set, sent before the metadata. */
        SPARE_BITS,
        /** Honest metadata, and a have for every piece instead of a bitfield. */
        HAVES_ONLY
    }

    private final TestTorrent torrent;
    private final Script script;
    private final InetAddress address;
    private final ServerSocket server;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger metadataRequests = new AtomicInteger();
    /** Connections that ended, whoever closed them. */
    public final AtomicInteger disconnects = new AtomicInteger();
    /** Interested messages received: the client wants what we said we have. */
    public final AtomicInteger interested = new AtomicInteger();

    public FakeMetadataPeer(TestTorrent torrent, Script script, InetAddress address) throws IOException {
        this.torrent = torrent;
        this.script = script;
        this.address = address;
        this.server = new ServerSocket(0, 16, address);
        Thread.ofVirtual().name("fake-metadata-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(address, server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().name("fake-metadata-peer").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        connections.incrementAndGet();
        try (socket) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            Handshake.read(in);
            out.write(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), false, true).encode());
            byte[] info = torrent.metainfo().infoBytes();
            long size = script == Script.HUGE_SIZE ? HUGE : info.length;
            MessageCodec codec = new MessageCodec(torrent.metainfo().info().pieceCount());
            ExtensionHandshake ours = new ExtensionHandshake(Optional.of("fake"), 250, 0, Map.of(MetadataMessage.NAME, OUR_ID),
                    size, Optional.empty());
            codec.write(new Message.Extended(0, ours.encode()), out);
            int pieces = torrent.metainfo().info().pieceCount();
            if (script == Script.HAVES_ONLY) {
                for (int p = 0; p < pieces; p++) codec.write(new Message.Have(p), out);
            } else {
                codec.write(new Message.Bitfield(bitfield(pieces, script == Script.SPARE_BITS)), out);
            }
            out.flush();
            int theirId = 0;
            while (true) {
                Message m = codec.read(in);
                if (m instanceof Message.Interested) interested.incrementAndGet();
                if (!(m instanceof Message.Extended e)) continue;
                if (e.id() == 0) {
                    theirId = ExtensionHandshake.decode(e.payload()).extensions().getOrDefault(MetadataMessage.NAME, 0);
                    continue;
                }
                if (e.id() != OUR_ID) continue;
                if (!(MetadataMessage.decode(e.payload()).orElse(null) instanceof MetadataMessage.Request r)) continue;
                metadataRequests.incrementAndGet();
                codec.write(new Message.Extended(theirId, answer(r.piece(), info, size)), out);
                out.flush();
            }
        } catch (IOException e) {
            // the client closed us
        } finally {
            disconnects.incrementAndGet();
        }
    }

    private byte[] answer(int piece, byte[] info, long size) {
        int from = piece * MetadataMessage.BLOCK;
        byte[] block = from < info.length ? Arrays.copyOfRange(info, from, Math.min(info.length, from + MetadataMessage.BLOCK)) : new byte[0];
        return switch (script) {
            case HONEST, SPARE_BITS, HAVES_ONLY -> new MetadataMessage.Data(piece, info.length, block).encode();
            case LIAR -> {
                for (int i = 0; i < block.length; i += 97) block[i] ^= 0x5a;
                yield new MetadataMessage.Data(piece, info.length, block).encode();
            }
            case HUGE_SIZE -> new MetadataMessage.Data(piece, size, block).encode();
            case OVERSIZED -> { // the header of a data message, then 20 KiB: more than a block may be
                byte[] header = new MetadataMessage.Data(piece, info.length, new byte[0]).encode();
                byte[] payload = Arrays.copyOf(header, header.length + 20 * 1024);
                yield payload;
            }
            case REJECT_ALL -> new MetadataMessage.Reject(piece).encode();
        };
    }

    private static byte[] bitfield(int pieces, boolean spareBit) {
        byte[] bits = new byte[(pieces + 7) / 8];
        for (int p = 0; p < pieces; p++) bits[p >> 3] |= (byte) (0x80 >>> (p & 7));
        if (spareBit) {
            if (pieces % 8 == 0) throw new IllegalArgumentException("no spare bits with " + pieces + " pieces");
            bits[bits.length - 1] |= 1;
        }
        return bits;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
