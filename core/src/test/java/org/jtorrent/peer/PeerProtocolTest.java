package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.BlockRef;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.Message.*;
import org.jtorrent.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A scripted peer checks what jtorrent says, message by message: serving, choking, BEP 6 rules. */
@Timeout(30)
class PeerProtocolTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = TestTorrent.single("t.bin", 8 * 32768 + 5, 32768); // 9 pieces, 2 blocks each
    private final MessageCodec codec = new MessageCodec(9);

    @Test
    void servesOnlyWhenUnchokedAndRejectsOtherwiseWithFast() throws Exception {
        torrent.writeTo(dir);
        try (Download seed = Download.start(torrent.metainfo(), DownloadOptions.defaults(dir, List.of()));
             Socket s = new Socket("127.0.0.1", seed.listenPort())) {
            Fake fake = new Fake(s);
            fake.send(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), true, true).encode());
            Handshake ours = Handshake.read(s.getInputStream());
            assertThat(ours.fast()).isTrue();
            Extended ext = (Extended) fake.next();
            assertThat(ext.id()).isZero();
            assertThat(ExtensionHandshake.decode(ext.payload()).reqq()).isEqualTo(PeerConfig.DEFAULT.ourReqq());
            assertThat(fake.next()).isInstanceOf(HaveAll.class);

            fake.send(new Request(0, 0, 16384)); // we are choked
            assertThat(fake.next()).isEqualTo(new RejectRequest(0, 0, 16384));
            fake.send(new Interested());
            assertThat(fake.next()).isInstanceOf(Unchoke.class);
            fake.send(new Request(8, 0, 5)); // the 5-byte last piece
            Piece last = (Piece) fake.next();
            assertThat(last.data()).isEqualTo(torrent.piece(8));
            fake.send(new Request(1, 16384, 16384));
            Piece p = (Piece) fake.next();
            assertThat(p.block()).isEqualTo(new BlockRef(1, 16384, 16384));
            assertThat(p.data()).isEqualTo(Arrays.copyOfRange(torrent.piece(1), 16384, 32768));
        }
    }

    @Test
    void withoutFastAChokeCancelsRequestsAndTheyAreAskedForAgain() throws Exception {
        withLeecherDialingFake(false, fake -> {
            fake.send(new Message.Bitfield(new byte[] {(byte) 0xff, (byte) 0x80}));
            assertThat(fake.next()).isInstanceOf(Interested.class);
            fake.send(new Unchoke());
            List<BlockRef> before = fake.requests(RequestPipeline.INITIAL); // the whole first batch
            fake.send(new Choke());
            fake.send(new Unchoke());
            List<BlockRef> after = fake.requests(RequestPipeline.INITIAL);
            assertThat(after).as("the cancelled requests are re-queued").containsAll(before);
        });
    }

    @Test
    void withFastAChokeKeepsRequestsPendingAndTheirBlocksAreAccepted() throws Exception {
        withLeecherDialingFake(true, fake -> {
            fake.send(new HaveAll());
            assertThat(fake.next()).isInstanceOf(Interested.class);
            fake.send(new Unchoke());
            List<BlockRef> before = fake.requests(RequestPipeline.INITIAL);
            fake.send(new Choke());
            BlockRef b = before.get(0);
            byte[] data = Arrays.copyOfRange(torrent.piece(b.piece()), b.begin(), b.begin() + b.length());
            fake.send(new Piece(b.piece(), b.begin(), data)); // still pending: must be accepted
            fake.send(new Unchoke());
            // the received block freed one slot; with Fast nothing was cancelled, so nothing is re-asked
            List<BlockRef> after = fake.requests(1);
            assertThat(after).doesNotContainAnyElementsOf(before);
        });
    }

    @Test
    void rejectedBlockIsRequestedAgain() throws Exception {
        withLeecherDialingFake(true, fake -> {
            fake.send(new HaveAll());
            assertThat(fake.next()).isInstanceOf(Interested.class);
            fake.send(new Unchoke());
            BlockRef first = fake.requests(RequestPipeline.INITIAL).get(0);
            fake.send(new RejectRequest(first.piece(), first.begin(), first.length()));
            // the block goes back to the picker, and the refill that follows asks for it again
            assertThat(fake.requests(1)).containsExactly(first);
        });
    }

    interface Script {
        void run(Fake fake) throws Exception;
    }

    private void withLeecherDialingFake(boolean fast, Script script) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DownloadOptions opts = DownloadOptions.defaults(dir, List.of(new InetSocketAddress("127.0.0.1", server.getLocalPort())));
            opts = opts.withPeerConfig(opts.peer().withEncryption(org.jtorrent.mse.EncryptionPolicy.DISABLE)); // the fake speaks plaintext only
            try (Download leech = Download.start(torrent.metainfo(), opts); Socket s = server.accept()) {
                Fake fake = new Fake(s);
                Handshake.decode(s.getInputStream().readNBytes(Handshake.LENGTH));
                fake.send(new Handshake(torrent.metainfo().infoHash(), PeerId.random(), fast, false).encode());
                if (fast) assertThat(fake.next()).isInstanceOf(HaveNone.class);
                script.run(fake);
                assertThat(leech.torrent().connections()).as("connection still open").hasSize(1);
            }
        }
    }

    /** The scripted side: reads our messages with the same codec, skipping keep-alives. */
    final class Fake {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Fake(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(5000);
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void send(byte[] raw) throws IOException {
            out.write(raw);
            out.flush();
        }

        void send(Message m) throws IOException {
            send(codec.encode(m));
        }

        Message next() throws IOException {
            Message m;
            do m = codec.read(in); while (m instanceof KeepAlive);
            return m;
        }

        /** Reads until {@code n} requests arrived (other messages in between are ignored). */
        List<BlockRef> requests(int n) throws IOException {
            List<BlockRef> got = new ArrayList<>();
            while (got.size() < n) if (next() instanceof Request r) got.add(r.block());
            return got;
        }
    }
}
