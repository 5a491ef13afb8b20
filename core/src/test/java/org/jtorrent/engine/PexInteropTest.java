package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.engine.InteropTest.awaitListening;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.testing.External;
import org.jtorrent.pex.PeerExchange;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer exchange with libtorrent 2.0 (python3-libtorrent, its ut_pex plugin on as by default), on
 * loopback: we learn a seeder from a libtorrent peer's PEX and download from it; a libtorrent
 * leecher learns a seeder from ours; libtorrent reads two of our messages, a real minute apart, and
 * keeps the connection (it disconnects a peer whose PEX is malformed or comes more than six times a
 * minute). The libtorrent peers are {@code lt_pex.py} beside this class: {@code lt_client.py}'s
 * settings, printing its peer list (with the PEX source bit) and the PEX messages it receives.
 */
@Tag("interop")
@Timeout(150)
class PexInteropTest {
    @TempDir
    Path dir;

    /** Two MiB in 256 KiB pieces: a "no data" libtorrent peer (2,000 bytes/s) verifies none within a test. */
    private final TestTorrent torrent = TestTorrent.single("pex.bin", 2 << 20, 256 * 1024);

    private static Session started(SessionConfig config) throws IOException {
        Session s = new Session(config.withTrackers(false, config.tracker()));
        s.start();
        return s;
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * We are given one libtorrent peer with no data, itself connected to a libtorrent seeder: its PEX
     * names the seeder, we dial it, and complete byte-exact (the data can only come from the seeder,
     * which we were never told of).
     */
    @Test
    void weLearnTheSeederFromALibtorrentPeersPexAndComplete() throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        int seedPort = freePort(), emptyPort = freePort();
        LtPex seeder = seeder(torrentFile, seedPort);
        LtPex empty = null;
        try (Session session = started(SessionConfig.defaults())) {
            empty = LtPex.start(dir, "leech", torrentFile, dir.resolve("empty"), emptyPort, "--no-data",
                    "--peer", "127.0.0.1:" + seedPort);
            LtPex emptyPeer = empty;
            // Seen as a seed: past its handshakes, so the first PEX message it sends us names it (a
            // connection still in its handshake is not listed, and the next message is a minute later).
            await(() -> emptyPeer.connectedToSeed(seedPort), "the empty peer connects to the seeder", empty);

            TorrentHandle h = session.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("out")).withPeers(List.of(local(emptyPort))));
            try {
                h.completion().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("not complete: " + h.status().progress() + " " + h.peerSources() + " " + h.peers()
                        + "\n" + empty.log() + "\n" + seeder.log(), e);
            }
            assertThat(h.peerSources()).containsEntry(PeerSource.USER, 1);
            assertThat(h.peerSources().get(PeerSource.EXCHANGE)).isPositive();
            assertThat(h.liveRun().orElseThrow().peerSet().knows(local(seedPort))).isTrue();
            // libtorrent's first message lists the receiver too: we are not our own candidate.
            assertThat(h.liveRun().orElseThrow().peerSet().knows(local(session.listenPort()))).isFalse();
            assertThat(empty.piecesHad()).as("the libtorrent peer had nothing to give").isZero();
        } finally {
            if (empty != null) empty.stop();
            seeder.stop();
        }
        assertSameFiles(torrent, dir.resolve("out"));
    }

    /**
     * A libtorrent leecher connected only to us learns the seeder we downloaded from through our PEX
     * (libtorrent marks it as a PEX peer) and completes. Our upload is held to 32 KiB/s, so it
     * cannot finish from us before it learns.
     */
    @Test
    void aLibtorrentLeecherLearnsASecondSourceFromOurPex() throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        int seedPort = freePort(), leechPort = freePort();
        LtPex seeder = seeder(torrentFile, seedPort);
        LtPex leecher = null;
        try (Session session = started(SessionConfig.defaults())) {
            TorrentHandle h = session.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("out"))
                    .withRateLimits(32 * 1024, 256 * 1024));
            leecher = LtPex.start(dir, "leech", torrentFile, dir.resolve("lt-out"), leechPort,
                    "--peer", "127.0.0.1:" + session.listenPort());
            LtPex lt = leecher;
            await(() -> lt.connectedTo(session.listenPort()), "the libtorrent leecher connects to us", leecher);
            h.addPeers(List.of(local(seedPort)));
            await(() -> lt.learntByPex(seedPort), "libtorrent dials the seeder it learnt from our PEX", leecher);
            await(() -> lt.progress() >= 1.0, "libtorrent completes", leecher);
            h.completion().get(60, TimeUnit.SECONDS);
        } finally {
            if (leecher != null) leecher.stop();
            seeder.stop();
        }
        assertSameFiles(torrent, dir.resolve("lt-out"));
    }

    /**
     * The real interval: libtorrent logs two of our PEX messages, at least a minute apart (the second
     * names a peer that came between), and the connection stays open throughout. libtorrent closes a
     * connection whose PEX does not decode or that sends more than six in a minute; a shorter interval
     * for tests would prove neither rule, so this test takes its minute.
     */
    @Test
    void libtorrentReadsTwoOfOurMessagesAMinuteApartAndKeepsTheConnection() throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        int ltPort = freePort();
        LtPex lt = null;
        try (Session ours = started(SessionConfig.defaults()); Session early = started(SessionConfig.defaults());
             Session late = started(SessionConfig.defaults())) {
            TorrentHandle h = ours.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("ours")));
            early.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("early")).withPeers(List.of(local(ours.listenPort()))));
            await(() -> h.peers().size() == 1, "the first jtorrent peer connects", null);
            lt = LtPex.start(dir, "leech", torrentFile, dir.resolve("lt-out"), ltPort, "--peer", "127.0.0.1:" + ours.listenPort());
            LtPex libtorrent = lt;
            await(() -> libtorrent.pexFrom(ours.listenPort()).size() == 1, "our first PEX message", lt);
            long first = System.nanoTime();
            assertThat(lt.pexFrom(ours.listenPort()).getFirst()).contains("added: 1");

            Thread.sleep(10_000);
            late.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("late")).withPeers(List.of(local(ours.listenPort()))));
            await(() -> libtorrent.pexFrom(ours.listenPort()).size() == 2, "our second PEX message", lt, 90);
            long apart = System.nanoTime() - first;
            assertThat(apart).as("nanoseconds between our messages").isGreaterThanOrEqualTo(PeerExchange.INTERVAL.toNanos() - 2_000_000_000L);
            assertThat(lt.pexFrom(ours.listenPort()).get(1)).contains("added: 1");
            Thread.sleep(2000);
            assertThat(lt.connectedTo(ours.listenPort())).as("libtorrent keeps the connection\n" + lt.log()).isTrue();
            // The connection both messages came over is the one made before the first: never closed.
            // (libtorrent also dials our port once more, having learnt it from the other peer's PEX,
            // and we refuse that second connection to the same peer id: that one's reset shows in its log.)
            long firstAt = first;
            assertThat(h.liveRun().orElseThrow().torrent().connections()).anyMatch(c ->
                    c.peerClient().orElse("").contains("libtorrent") && c.connectedAt() < firstAt && !c.isClosed());
            assertThat(lt.disconnectReasons()).as("libtorrent's PEX errors: invalid or too frequent messages")
                    .noneMatch(reason -> reason.contains("pex") || reason.contains("peer exchange"));
        } finally {
            if (lt != null) lt.stop();
        }
    }

    /**
     * A libtorrent seeder of the torrent, listening. It never dials (told of a peer by PEX, it would
     * connect to it and spoil the proof that the peer found it), and serves at 512 KiB/s, so that a
     * connection to it lasts long enough to be seen in a status line.
     */
    private LtPex seeder(Path torrentFile, int port) throws Exception {
        torrent.writeTo(dir.resolve("seed"));
        LtPex seeder = LtPex.start(dir, "seed", torrentFile, dir.resolve("seed"), port, "--no-outgoing",
                "--upload-limit", String.valueOf(512 * 1024));
        awaitListening(port, seeder.external());
        return seeder;
    }

    private static void await(BooleanSupplier condition, String what, LtPex peer) throws InterruptedException {
        await(condition, what, peer, 30);
    }

    private static void await(BooleanSupplier condition, String what, LtPex peer, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what + (peer == null ? "" : "\n" + peer.log()));
            Thread.sleep(100);
        }
    }

    /** {@code lt_pex.py} in its own process, and what it printed. */
    private record LtPex(External external) {
        private static final Pattern PEER = Pattern.compile("\"port\": (\\d+), \"pex\": (true|false)");
        private static final Pattern PIECES = Pattern.compile("\"progress\": ([0-9.e-]+), \"pieces\": (\\d+)");

        static LtPex start(Path dir, String mode, Path torrentFile, Path data, int port, String... more) throws Exception {
            Path script = Path.of(PexInteropTest.class.getResource("lt_pex.py").toURI());
            List<String> command = new ArrayList<>(List.of(RealPeers.pythonWithLibtorrent().toString(), script.toString(), mode,
                    torrentFile.toString(), data.toString(), "--port", String.valueOf(port), "--timeout", "140"));
            command.addAll(List.of(more));
            return new LtPex(External.start(dir.resolve("lt-" + mode + "-" + port + ".log"), command.toArray(String[]::new)));
        }

        private List<String> lines() {
            try {
                return Files.readAllLines(external.logFile());
            } catch (IOException e) {
                return List.of();
            }
        }

        private String lastStatus() {
            List<String> lines = lines();
            for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).contains("\"event\": \"status\"")) return lines.get(i);
            return "";
        }

        boolean connectedTo(int port) {
            Matcher m = PEER.matcher(lastStatus());
            while (m.find()) if (Integer.parseInt(m.group(1)) == port) return true;
            return false;
        }

        boolean connectedToSeed(int port) {
            return lastStatus().contains("\"port\": " + port + ", \"pex\": false, \"seed\": true")
                    || lastStatus().contains("\"port\": " + port + ", \"pex\": true, \"seed\": true");
        }

        /** Whether it was ever connected to the peer at this port, having learnt it by PEX. */
        boolean learntByPex(int port) {
            for (String line : lines()) {
                if (!line.contains("\"event\": \"status\"")) continue;
                Matcher m = PEER.matcher(line);
                while (m.find()) if (Integer.parseInt(m.group(1)) == port && m.group(2).equals("true")) return true;
            }
            return false;
        }

        double progress() {
            Matcher m = PIECES.matcher(lastStatus());
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        }

        int piecesHad() {
            Matcher m = PIECES.matcher(lastStatus());
            return m.find() ? Integer.parseInt(m.group(2)) : -1;
        }

        /** The PEX messages it logged from the peer at this port (libtorrent's text: "dropped: D added: A"). */
        List<String> pexFrom(int port) {
            return lines().stream().filter(l -> l.contains("\"event\": \"pex\"") && l.contains(":" + port + "\"")).toList();
        }

        /** Why libtorrent closed each connection it closed, lower case ("duplicate peer-id", ...). */
        List<String> disconnectReasons() {
            Pattern reason = Pattern.compile("\\]: ([^\\]]*) \\(reason: ");
            List<String> reasons = new ArrayList<>();
            for (String line : lines()) {
                if (!line.contains("\"event\": \"disconnected\"")) continue;
                Matcher m = reason.matcher(line);
                reasons.add(m.find() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : line);
            }
            return reasons;
        }

        /** What it printed but its status lines, then its last status: for failure messages. */
        String log() {
            List<String> events = new ArrayList<>(lines().stream().filter(l -> !l.contains("\"event\": \"status\"")).toList());
            if (events.size() > 40) events = events.subList(events.size() - 40, events.size());
            return String.join("\n", events) + "\n" + lastStatus();
        }

        void stop() throws InterruptedException {
            external.stop();
        }
    }
}
