package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our client against Debian's opentracker on loopback: announces over HTTP and UDP, peers, scrapes. */
@Tag("interop")
class OpentrackerInteropTest {
    private static final InfoHash HASH = InfoHash.fromHex("5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed");
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final TrackerConfig CONFIG = TrackerConfig.DEFAULT.withAttemptTimeout(DEADLINE);

    @Test
    void announcesOverHttpAndUdpSeeEachOtherAndScrape(@TempDir Path dir) throws Exception {
        Path opentracker = RealPeers.require("opentracker", "opentracker");
        // As root, opentracker chroots to -d and drops to nobody: the dir and whitelist must be world-readable.
        Path otdir = Files.createDirectory(dir.resolve("ot"));
        Files.writeString(otdir.resolve("whitelist"), HASH.hex() + "\n");
        Files.setPosixFilePermissions(otdir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(otdir.resolve("whitelist"), PosixFilePermissions.fromString("rw-r--r--"));
        int http = freeTcpPort(), udp = freeUdpPort();
        Process ot = new ProcessBuilder(opentracker.toString(), "-i", "127.0.0.1", "-p", String.valueOf(http),
                "-P", String.valueOf(udp), "-d", otdir.toString(), "-w", "whitelist")
                .redirectErrorStream(true).redirectOutput(dir.resolve("opentracker.log").toFile()).start();
        try {
            awaitListening(http, ot, dir.resolve("opentracker.log"));
            URI httpUri = URI.create("http://127.0.0.1:" + http + "/announce");
            URI udpUri = URI.create("udp://127.0.0.1:" + udp + "/announce");
            awaitWhitelistLoaded(httpUri);

            AnnounceResponse seeder = client(httpUri, 6001).announce(request(6001, 0, AnnounceEvent.STARTED), DEADLINE);
            assertThat(seeder.peers()).as("our own address is filtered out").isEmpty();
            assertThat(seeder.interval()).isPositive();

            AnnounceResponse leecher = client(udpUri, 6002).announce(request(6002, 1000, AnnounceEvent.STARTED), DEADLINE);
            assertThat(leecher.peers()).containsExactly(peer(6001));
            assertThat(leecher.seeders()).isEqualTo(1);
            assertThat(leecher.leechers()).isEqualTo(1);

            AnnounceResponse again = client(udpUri, 6001).announce(request(6001, 0, AnnounceEvent.NONE), DEADLINE);
            assertThat(again.peers()).containsExactly(peer(6002));

            ScrapeStats expected = new ScrapeStats(1, 0, 1);
            assertThat(client(httpUri, 1).scrape(List.of(HASH), DEADLINE)).containsEntry(HASH, expected);
            assertThat(client(udpUri, 1).scrape(List.of(HASH), DEADLINE)).containsEntry(HASH, expected);

            client(httpUri, 6002).announce(request(6002, 0, AnnounceEvent.STOPPED), DEADLINE);
            assertThat(client(udpUri, 1).scrape(List.of(HASH), DEADLINE).get(HASH).incomplete()).isZero();

            InfoHash unknown = InfoHash.fromHex("0000000000000000000000000000000000000001");
            var refused = new AnnounceRequest(unknown, PeerId.random(), 6003, 0, 0, 0, AnnounceEvent.STARTED, -1, 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client(httpUri, 6003).announce(refused, DEADLINE))
                    .isInstanceOfSatisfying(TrackerException.class, e -> assertThat(e.isRefusal()).isTrue())
                    .hasMessageContaining("not authorized");
        } finally {
            ot.destroy();
            ot.waitFor();
        }
    }

    /**
     * opentracker listens before its whitelist thread has read the file, and refuses every hash until
     * then. A {@code stopped} announce is the probe: it adds no peer, and is refused only until then.
     */
    private static void awaitWhitelistLoaded(URI tracker) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                client(tracker, 6999).announce(request(6999, 0, AnnounceEvent.STOPPED), DEADLINE);
                return;
            } catch (TrackerException e) {
                if (!e.isRefusal() || System.nanoTime() > end) throw e;
                Thread.sleep(50);
            }
        }
    }

    private static AnnounceRequest request(int port, long left, AnnounceEvent event) {
        return new AnnounceRequest(HASH, PeerId.random(), port, 0, 0, left, event, -1, port);
    }

    private static TrackerClient client(URI uri, int port) {
        return TrackerClient.forUri(uri, CONFIG, SelfFilter.forPort(port), Clock.systemUTC());
    }

    private static PeerAddress peer(int port) {
        return new PeerAddress(InetAddress.getLoopbackAddress(), port);
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port, Process p, Path log) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) throw new AssertionError("opentracker exited: " + Files.readString(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("opentracker did not listen on " + port + ": " + Files.readString(log));
    }
}
