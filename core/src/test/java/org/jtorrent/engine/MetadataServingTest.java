package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.MagnetSwarmTest.magnet;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metadata.MetadataExchange;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.ExtensionHandshake;
import org.jtorrent.wire.Handshake;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.MessageCodec;
import org.jtorrent.wire.MetadataMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a peer that asks us for metadata gets: the blocks, rejects out of range and while fetching, a capped flood. */
@Timeout(60)
class MetadataServingTest {
    private static final int THEIR_ID = 7;

    @TempDir
    Path dir;

    private final QuickSessions sessions = new QuickSessions();

    @AfterEach
    void close() throws IOException {
        sessions.close();
    }

    /** A raw client speaking ut_metadata under our id {@link #THEIR_ID}. */
    private static final class Asker implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final MessageCodec codec = MessageCodec.beforeMetadata(1 << 20);
        ExtensionHandshake theirs;
        int theirId;

        Asker(int port, InfoHash infoHash) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = socket.getOutputStream();
            out.write(new Handshake(infoHash, PeerId.random(), false, true).encode());
            Handshake.read(in);
            ExtensionHandshake ours = new ExtensionHandshake(Optional.empty(), 250, 0, Map.of(MetadataMessage.NAME, THEIR_ID));
            out.write(codec.encode(new Message.Extended(0, ours.encode())));
            while (theirs == null) {
                if (codec.read(in) instanceof Message.Extended e && e.id() == 0) theirs = ExtensionHandshake.decode(e.payload());
            }
            theirId = theirs.extensions().getOrDefault(MetadataMessage.NAME, 0);
        }

        void ask(int piece) throws IOException {
            out.write(codec.encode(new Message.Extended(theirId, new MetadataMessage.Request(piece).encode())));
        }

        MetadataMessage next() throws IOException {
            while (true) {
                if (codec.read(in) instanceof Message.Extended e && e.id() == THEIR_ID) return MetadataMessage.decode(e.payload()).orElseThrow();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aSeederAdvertisesMetadataSizeServesEveryBlockAndRejectsOutOfRange() throws Exception {
        TestTorrent t = MagnetHostileTest.manyFiles(800);
        byte[] info = t.metainfo().infoBytes();
        Session seeder = sessions.seeding(t, dir.resolve("seed"));
        try (Asker a = new Asker(seeder.listenPort(), t.metainfo().infoHash())) {
            assertThat(a.theirId).isEqualTo(MetadataExchange.LOCAL_ID);
            assertThat(a.theirs.metadataSize()).isEqualTo(info.length);
            int blocks = MetadataMessage.blockCount(info.length);
            byte[] assembled = new byte[info.length];
            for (int piece = 0; piece < blocks; piece++) {
                a.ask(piece);
                MetadataMessage.Data d = (MetadataMessage.Data) a.next();
                assertThat(d.piece()).isEqualTo(piece);
                assertThat(d.totalSize()).isEqualTo(info.length);
                System.arraycopy(d.data(), 0, assembled, piece * MetadataMessage.BLOCK, d.data().length);
            }
            assertThat(assembled).isEqualTo(info);
            a.ask(blocks);
            assertThat(a.next()).isEqualTo(new MetadataMessage.Reject(blocks));
        }
    }

    @Test
    void aFloodOfRequestsIsAnsweredUpToTheCapAndRejectedBeyond() throws Exception {
        TestTorrent t = TestTorrent.single("flood.bin", 100_000, 16 * 1024);
        Session seeder = sessions.seeding(t, dir.resolve("seed"));
        try (Asker a = new Asker(seeder.listenPort(), t.metainfo().infoHash())) {
            int asked = 10 * MetadataExchange.SERVED_PER_SECOND;
            for (int i = 0; i < asked; i++) a.ask(0);
            int served = 0, rejected = 0;
            for (int i = 0; i < asked; i++) {
                if (a.next() instanceof MetadataMessage.Data) served++;
                else rejected++;
            }
            // Sent within a fraction of a second (a few windows at most on a loaded machine): a few windows' worth
            // answered, the rest refused.
            assertThat(served).isBetween(1, 3 * MetadataExchange.SERVED_PER_SECOND);
            assertThat(rejected).isEqualTo(asked - served);
        }
    }

    @Test
    void aPrivateTorrentOffersNoMetadataExchangeAsLibtorrentDoes() throws Exception {
        TestTorrent t = TestTorrent.privateSingle("private.bin", 100_000, 16 * 1024);
        assertThat(t.metainfo().info().isPrivate()).isTrue();
        Session seeder = sessions.seeding(t, dir.resolve("seed"));
        try (Asker a = new Asker(seeder.listenPort(), t.metainfo().infoHash())) {
            assertThat(a.theirs.extensions()).doesNotContainKey(MetadataMessage.NAME);
            assertThat(a.theirs.metadataSize()).isZero();
        }
    }

    @Test
    void aTorrentStillFetchingRejectsRequestsAndAdvertisesNoSize() throws Exception {
        TestTorrent t = TestTorrent.single("unknown.bin", 100_000, 16 * 1024);
        Session leecher = sessions.start();
        leecher.add(magnet(t, List.of()), TorrentOptions.in(dir.resolve("leech")));
        try (Asker a = new Asker(leecher.listenPort(), t.metainfo().infoHash())) {
            assertThat(a.theirId).isEqualTo(MetadataExchange.LOCAL_ID); // it speaks ut_metadata: it fetches with it
            assertThat(a.theirs.metadataSize()).isZero();
            // We said no size either: it asks us for block 0 to learn it.
            assertThat(a.next()).isEqualTo(new MetadataMessage.Request(0));
            a.ask(0);
            assertThat(a.next()).isEqualTo(new MetadataMessage.Reject(0));
        }
    }
}
