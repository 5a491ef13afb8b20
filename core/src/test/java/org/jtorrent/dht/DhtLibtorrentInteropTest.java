package org.jtorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jtorrent.testing.External;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DHT against libtorrent 2.0's, both ways, on loopback (inside {@code unshare -n}), through the
 * harness's {@code dht_lt.py}: libtorrent nodes, a libtorrent seeder that announces only into the
 * DHT, a libtorrent leecher given only a magnet link.
 */
@Timeout(180)
class DhtLibtorrentInteropTest {
    @TempDir
    Path dir;
    private final List<External> running = new ArrayList<>();
    private final List<DhtNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (External e : running.reversed()) e.stop();
        nodes.forEach(DhtNode::close);
    }

    private static int freePort() throws IOException {
        while (true) {
            int port;
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = tcp.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
    }

    private record Torrent(Path file, Path data, String infoHash) {
    }

    private Torrent torrent(Path python) throws Exception {
        Path data = Files.createDirectories(dir.resolve("seed"));
        Path payload = data.resolve("payload.bin");
        run(python, RealPeers.harness().resolve("mkpayload.py").toString(), "single", payload.toString(), "3M");
        Path file = dir.resolve("t.torrent");
        String out = run(python, RealPeers.harness().resolve("mktorrent.py").toString(), payload.toString(), "-o", file.toString());
        String hash = out.lines().filter(l -> l.matches("[0-9a-f]{40}")).findFirst().orElseThrow(() -> new AssertionError(out));
        return new Torrent(file, data, hash);
    }

    private String run(Path python, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private External dhtLt(Path python, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(python.toString(), RealPeers.harness().resolve("dht_lt.py").toString()));
        command.addAll(List.of(args));
        External e = External.start(dir.resolve(name + ".log"), command);
        running.add(e);
        return e;
    }

    private static void awaitFile(Path file, External owner, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            assertThat(owner.process().isAlive()).as(owner.log()).isTrue();
            Thread.sleep(50);
        }
        assertThat(file).as(owner.log()).exists();
    }

    /** Lookups until one finds {@code expected} (a seeder's first announce may still be on its way), for 30 s at most. */
    private static LookupResult lookUpUntilFound(DhtNode node, NodeId infoHash, InetSocketAddress expected) throws Exception {
        LookupResult found;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            found = node.getPeers(infoHash).get(20, TimeUnit.SECONDS);
            if (found.peers().contains(expected)) break;
            Thread.sleep(300);
        } while (System.nanoTime() < deadline);
        return found;
    }

    @Test
    void ourLookupFindsALibtorrentSeederAnnouncedIntoLibtorrentNodes() throws Exception {
        Path python = RealPeers.pythonWithLibtorrent();
        Torrent t = torrent(python);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 8; i++) ports.add(freePort());
        String list = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        Path ready = dir.resolve("nodes.ready");
        Path announced = dir.resolve("announced");
        External ltNodes = dhtLt(python, "nodes", "nodes", ports.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--bootstrap", list, "--ready-file", ready.toString(), "--announced-file", announced.toString(), "--infohash", t.infoHash());
        awaitFile(ready, ltNodes, 60);
        int seedPort = freePort();
        External seeder = dhtLt(python, "seed", "seed", t.file().toString(), t.data().toString(), "--port", String.valueOf(seedPort),
                "--bootstrap", list);
        awaitFile(announced, ltNodes, 60);

        DhtNode ours = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.0.2"))
                .withBootstrap(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.getFirst()))));
        nodes.add(ours);
        ours.start();
        NodeId infoHash = NodeId.of(HexFormat.of().parseHex(t.infoHash()));
        InetSocketAddress expected = new InetSocketAddress(InetAddress.getLoopbackAddress(), seedPort);
        LookupResult found = lookUpUntilFound(ours, infoHash, expected);
        assertThat(found.peers()).as("%s%n%s", ltNodes.log(), seeder.log()).contains(expected);
        assertThat(found.replies()).isPositive();
        // the libtorrent nodes answered our queries well enough to fill our table
        assertThat(ours.stats().tableSize()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void libtorrentSeedsAndLeechesThroughADhtOfOurNodesOnly() throws Exception {
        Path python = RealPeers.pythonWithLibtorrent();
        Torrent t = torrent(python);
        DhtNode first = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.8.1")));
        nodes.add(first);
        first.start();
        for (int i = 2; i <= 6; i++) {
            DhtNode n = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.8." + i)).withBootstrap(List.of(first.localAddress())));
            nodes.add(n);
            n.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (nodes.stream().anyMatch(n -> n.stats().tableSize() < 3) && System.nanoTime() < deadline) Thread.sleep(50);
        String list = nodes.stream().map(n -> DhtNode.format(n.localAddress())).collect(Collectors.joining(","));

        int seedPort = freePort();
        External seeder = dhtLt(python, "seed", "seed", t.file().toString(), t.data().toString(), "--port", String.valueOf(seedPort),
                "--bootstrap", list);
        NodeId infoHash = NodeId.of(HexFormat.of().parseHex(t.infoHash()));
        InetSocketAddress seederAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), seedPort);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (nodes.stream().noneMatch(n -> n.storedPeers(infoHash).contains(seederAddress)) && System.nanoTime() < deadline) {
            assertThat(seeder.process().isAlive()).as(seeder.log()).isTrue();
            Thread.sleep(100);
        }
        assertThat(nodes).as("libtorrent's announce_peer, with our token, is stored%n%s", seeder.log())
                .anyMatch(n -> n.storedPeers(infoHash).contains(seederAddress));
        // libtorrent pinged us and keeps us: our nodes answered its queries
        assertThat(nodes.stream().mapToLong(n -> n.stats().queriesAnswered()).sum()).isPositive();

        Path out = Files.createDirectories(dir.resolve("leech"));
        External leecher = dhtLt(python, "leech", "leech", "magnet:?xt=urn:btih:" + t.infoHash(), out.toString(),
                "--port", String.valueOf(freePort()), "--bootstrap", list, "--timeout", "90");
        assertThat(leecher.waitFor(Duration.ofSeconds(120))).as(leecher.log()).isZero();
        assertThat(Files.mismatch(out.resolve("payload.bin"), t.data().resolve("payload.bin"))).isEqualTo(-1L);
    }

    @Test
    void aDhtOfHalfOurNodesAndHalfLibtorrentNodesCarriesAnnouncesBothWays() throws Exception {
        Path python = RealPeers.pythonWithLibtorrent();
        Torrent t = torrent(python);
        List<Integer> ltPorts = new ArrayList<>();
        for (int i = 0; i < 4; i++) ltPorts.add(freePort());
        for (int i = 1; i <= 4; i++) {
            DhtNode n = new DhtNode(DhtConfig.loopback(InetAddress.getByName("127.0.9." + i))
                    .withBootstrap(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), ltPorts.getFirst()))));
            nodes.add(n);
        }
        for (DhtNode n : nodes) n.start();
        List<String> all = new ArrayList<>(ltPorts.stream().map(p -> "127.0.0.1:" + p).toList());
        nodes.forEach(n -> all.add(DhtNode.format(n.localAddress())));
        String list = String.join(",", all);
        // the libtorrent nodes ping every address of the list: ours answer and end up in their tables
        String ourInfoHash = "0123456789abcdef0123456789abcdef01234567";
        Path ready = dir.resolve("nodes.ready");
        Path announced = dir.resolve("announced");
        External ltNodes = dhtLt(python, "nodes", "nodes", ltPorts.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--bootstrap", list, "--ready-file", ready.toString(), "--announced-file", announced.toString(), "--infohash", ourInfoHash);
        awaitFile(ready, ltNodes, 60);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (nodes.stream().anyMatch(n -> n.stats().tableSize() < 6) && System.nanoTime() < deadline) {
            for (DhtNode n : nodes) n.findNode(n.id());
            Thread.sleep(200);
        }
        assertThat(nodes).allSatisfy(n -> assertThat(n.stats().tableSize()).as("our node knows both kinds").isGreaterThanOrEqualTo(6));

        // ours -> libtorrent: our announce_peer, with libtorrent's tokens, is stored by a libtorrent node
        NodeId ours = NodeId.of(HexFormat.of().parseHex(ourInfoHash));
        LookupResult announce = nodes.get(1).announce(ours, 7001).get(20, TimeUnit.SECONDS);
        assertThat(announce.announcedTo()).isGreaterThanOrEqualTo(5);
        awaitFile(announced, ltNodes, 20);
        // and a libtorrent leecher whose only bootstrap nodes are two of ours finds that peer
        External leecher = dhtLt(python, "leech", "leech", "magnet:?xt=urn:btih:" + ourInfoHash, Files.createDirectories(dir.resolve("l")).toString(),
                "--port", String.valueOf(freePort()), "--bootstrap", DhtNode.format(nodes.get(2).localAddress()) + "," + DhtNode.format(nodes.get(3).localAddress()),
                "--timeout", "60");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        java.util.regex.Pattern gotPeers = java.util.regex.Pattern.compile("dht_reply_alert: .*received DHT peers: [1-9]");
        while (!gotPeers.matcher(leecher.log()).find() && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(leecher.log()).containsPattern(gotPeers);

        // libtorrent -> ours: a libtorrent seeder announced into the mixed DHT is found by our lookup
        int seedPort = freePort();
        External seeder = dhtLt(python, "seed", "seed", t.file().toString(), t.data().toString(), "--port", String.valueOf(seedPort),
                "--bootstrap", list);
        NodeId theirs = NodeId.of(HexFormat.of().parseHex(t.infoHash()));
        InetSocketAddress expected = new InetSocketAddress(InetAddress.getLoopbackAddress(), seedPort);
        LookupResult found = lookUpUntilFound(nodes.get(3), theirs, expected);
        assertThat(found.peers()).as(seeder.log()).contains(expected);
    }
}
