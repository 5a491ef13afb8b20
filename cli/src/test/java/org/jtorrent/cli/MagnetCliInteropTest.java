package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Magnet links against real clients, both ways, through the harness's swarm.py (its own network
 * namespace; every downloaded byte checked by sha256): {@code jtorrent download 'magnet:?...'}
 * fetches the metadata from libtorrent, qBittorrent, aria2 and Transmission seeders; libtorrent,
 * aria2 and Transmission leechers given only a magnet link whose only source is {@code jtorrent seed}
 * fetch the metadata from us. The magnet's tracker is {@code jtorrent tracker}; a missing client
 * fails under {@code CI=true} ({@link RealPeers}).
 */
@Tag("interop")
class MagnetCliInteropTest {
    private static final String MAGNET = "'magnet:?xt=urn:btih:{infohash}&tr={tracker}'";

    @TempDir
    Path dir;

    private static String jtorrent() {
        return "exec '" + JavaProcess.java() + "' -cp '" + JavaProcess.classPath() + "' org.jtorrent.cli.Main";
    }

    static Stream<Arguments> seeders() {
        return Stream.of(
                Arguments.of("lt", "udp"),
                Arguments.of("qbittorrent", "udp"),
                Arguments.of("aria2", "http"), // aria2 speaks no udp:// tracker without its DHT
                Arguments.of("transmission", "http"));
    }

    @ParameterizedTest(name = "jtorrent download MAGNET from a {0} seeder, tracker over {1}")
    @MethodSource("seeders")
    void aMagnetLinkDownloadsFromARealSeeder(String seeder, String protocol) throws Exception {
        requireClient(seeder);
        swarm(List.of("--gen", "single:4M", "--seeder", seeder, "--tracker", protocol),
                jtorrent() + " download " + MAGNET + " -o {outdir} --port {port} --state {workdir}/jtorrent-state", seeder, 4 << 20);
    }

    @Test
    void aTorrentOfThreeThousandFilesHasItsMetadataInManyBlocks() throws Exception {
        requireClient("lt");
        Path saved = dir.resolve("fetched.torrent");
        swarm(List.of("--gen", "tree:6M:3000", "--seeder", "lt", "--tracker", "udp"),
                jtorrent() + " download " + MAGNET + " -o {outdir} --port {port} --state {workdir}/jtorrent-state --save-torrent "
                        + saved, "lt", 6 << 20);
        Metainfo metainfo = Metainfo.load(saved);
        assertThat(metainfo.info().files()).hasSize(3000);
        assertThat(metainfo.infoBytes().length).as("metadata blocks of 16 KiB").isGreaterThan(8 * 16384);
    }

    @Test
    void aMagnetLinkWithOnlyAPeerAddressAndNoTracker() throws Exception {
        requireClient("lt");
        swarm(List.of("--gen", "single:4M", "--seeder", "lt", "--tracker", "none", "--no-wait-seeders", "--seeder-delay", "1"),
                jtorrent() + " download 'magnet:?xt=urn:btih:{infohash}&x.pe={peers}' -o {outdir} --port {port} --state "
                        + "{workdir}/jtorrent-state", "lt", 4 << 20);
    }

    @ParameterizedTest(name = "a {0} leecher given only a magnet link fetches the metadata from jtorrent seed")
    @MethodSource("leechers")
    void realLeechersFetchTheMetadataFromJtorrentSeed(String leecher) throws Exception {
        requireClient(leecher);
        // Transmission never dials peers at 127.x: jtorrent seed dials it, at a port chosen here (swarm.py's own
        // come from the kernel's ephemeral range, above 32768).
        int transmissionPort = ThreadLocalRandom.current().nextInt(20_000, 30_000);
        String seed = jtorrent() + " seed {torrent} --data {datadir} --port {port} --state {workdir}/jtorrent-seed-state"
                + (leecher.equals("transmission") ? " --peer 127.0.0.1:" + transmissionPort : "");
        String command = switch (leecher) {
            case "lt" -> "exec " + RealPeers.pythonWithLibtorrent() + " " + RealPeers.repoRoot().resolve("bench/lt_magnet.py")
                    + " " + MAGNET + " {outdir} --port {port} --timeout 60";
            case "aria2" -> "exec aria2c --enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false "
                    + "--interface=127.0.0.1 --disable-ipv6=true --file-allocation=none --listen-port={port} "
                    + "--dht-listen-port=6999 --dir={outdir} --seed-time=0 --bt-stop-timeout=60 " + MAGNET;
            case "transmission" -> "TR_TIMEOUT=60 exec sh {harness}/tr_run.sh leech " + MAGNET + " {outdir} " + transmissionPort;
            default -> throw new IllegalArgumentException(leecher);
        };
        swarm(List.of("--gen", "single:4M", "--seeder", "cmd:" + seed, "--tracker", "http"), command, "cmd", 4 << 20);
    }

    static Stream<String> leechers() {
        return Stream.of("lt", "aria2", "transmission");
    }

    /** Runs swarm.py with {@code leecher} (a cmd: template) and our tracker; asserts every byte arrived. */
    private static void swarm(List<String> arguments, String leecher, String seederLabel, long bytes) throws Exception {
        String tracker = jtorrent() + " tracker --http-port {http_port} --udp-port {udp_port} --bind 127.0.0.1 --interval 60";
        List<String> command = new ArrayList<>(List.of("python3", RealPeers.harness().resolve("swarm.py").toString()));
        command.addAll(arguments);
        command.addAll(List.of("--leecher", "cmd:" + leecher, "--timeout", "60", "--tracker-cmd", tracker));
        SwarmRun.expect(command, "leecher=cmd seeder=" + seederLabel + " bytes=" + bytes + " .* ok\\b", 150);
    }

    private static void requireClient(String kind) {
        switch (kind) {
            case "lt" -> RealPeers.pythonWithLibtorrent();
            case "aria2" -> RealPeers.require("aria2c", "aria2");
            case "qbittorrent" -> RealPeers.require("qbittorrent-nox", "qbittorrent-nox");
            case "transmission" -> RealPeers.require("transmission-cli", "transmission-cli");
            default -> throw new IllegalArgumentException(kind);
        }
    }
}
