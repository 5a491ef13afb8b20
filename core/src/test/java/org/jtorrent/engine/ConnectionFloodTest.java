package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jtorrent.id.PeerId;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 connections at once against a seeder: idle ones that finished their handshake, ones that
 * never finish it, ones that send garbage. An honest leecher still completes, the silent ones are
 * closed by their timeouts, and the process's open file descriptors stay bounded.
 */
class ConnectionFloodTest {

    @TempDir
    Path dir;

    @Test
    void anHonestLeecherCompletesThroughAFloodAndTheSilentAreTimedOut() throws Exception {
        TestTorrent t = TestTorrent.single("flood.bin", 2 * 1024 * 1024, 65536);
        t.writeTo(dir.resolve("seed"));
        PeerConfig quick = PeerConfig.DEFAULT.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2));
        DownloadOptions seedOptions = DownloadOptions.defaults(dir.resolve("seed"), List.of()).withPeerConfig(quick);
        long fdsBefore = openFileDescriptors();
        List<Socket> flood = new ArrayList<>();
        try (Download seeder = Download.start(t.metainfo(), seedOptions)) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", seeder.listenPort());
            Random random = new Random(9);
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                try {
                    s.connect(target, 2000);
                } catch (IOException refusedOrBacklogFull) {
                    continue; // the listener may shed some: that is part of surviving a flood
                }
                flood.add(s);
                OutputStream out = s.getOutputStream();
                switch (i % 4) {
                    case 0 -> out.write(new Handshake(t.metainfo().infoHash(), PeerId.random(), true, true).encode()); // then idle
                    case 1 -> out.write(new byte[] {19, 'B', 'i', 't'}); // a handshake that never finishes
                    case 2 -> {
                        byte[] junk = new byte[random.nextInt(1, 2000)];
                        random.nextBytes(junk);
                        out.write(junk);
                    }
                    default -> { } // connects and says nothing
                }
            }
            long fdsDuringFlood = openFileDescriptors();

            try (Download leecher = Download.start(t.metainfo(),
                    DownloadOptions.defaults(dir.resolve("leech"), List.of(target)))) {
                assertThat(leecher.awaitComplete(Duration.ofSeconds(60))).isTrue();
            }
            assertThat(Files.readAllBytes(dir.resolve("leech/flood.bin"))).isEqualTo(t.content());

            // Every flooding socket is closed by the seeder within its timeouts.
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (countClosedByPeer(flood) < flood.size() && System.nanoTime() < deadline) Thread.sleep(100);
            assertThat(countClosedByPeer(flood)).isEqualTo(flood.size());
            assertThat(seeder.torrent().connections()).isEmpty();
            assertThat(fdsDuringFlood - fdsBefore).as("descriptors held during the flood").isLessThanOrEqualTo(2L * 200 + 50);
        } finally {
            for (Socket s : flood) s.close();
        }
        assertThat(openFileDescriptors() - fdsBefore).as("descriptors left afterwards").isLessThan(20);
    }

    /** Sockets whose other end has closed: a read returns end-of-stream (or a reset). */
    private static int countClosedByPeer(List<Socket> sockets) {
        int closed = 0;
        for (Socket s : sockets) {
            try {
                s.setSoTimeout(1);
                while (true) {
                    int b = s.getInputStream().read();
                    if (b < 0) {
                        closed++;
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // the seeder has not closed it yet
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
