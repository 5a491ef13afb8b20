package org.jtorrent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real BitTorrent clients (and {@code jtorrent seed}, as the seeder) use {@code jtorrent tracker} to
 * find each other: the harness's swarm.py makes a torrent whose only tracker is ours (http:// or
 * udp://), starts a seeder, waits until our tracker's HTTP scrape counts it, then runs the leecher,
 * which can only learn the seeder's address from our tracker, and checks every downloaded byte by
 * sha256. All inside a private network namespace.
 */
@Tag("interop")
class RealClientsInteropTest {

    static Stream<Arguments> swarms() {
        return Stream.of(
                Arguments.of("lt", "aria2", "http"),
                Arguments.of("aria2", "lt", "http"),
                Arguments.of("lt", "lt", "udp"),
                Arguments.of("lt", "qbittorrent", "udp"),
                // `jtorrent seed` (a child JVM) is the seeder; it announces to our tracker too.
                Arguments.of("jtorrent", "aria2", "http"),
                Arguments.of("jtorrent", "lt", "udp"));
    }

    @ParameterizedTest(name = "{0} seeds, {1} leeches, tracker over {2}")
    @MethodSource("swarms")
    void clientsFindEachOtherThroughOurTracker(String seeder, String leecher, String protocol) throws Exception {
        requireClient(seeder);
        requireClient(leecher);
        Path swarm = RealPeers.harness().resolve("swarm.py");
        String main = "exec '" + JavaProcess.java() + "' -cp '" + JavaProcess.classPath() + "' org.jtorrent.cli.Main";
        String trackerCmd = main + " tracker --http-port {http_port} --udp-port {udp_port} --bind 127.0.0.1 --interval 60";
        String seederKind = seeder.equals("jtorrent") ? "cmd:" + main + " seed {torrent} --data {datadir} --port {port} --state {workdir}/jtorrent-seed-state" : seeder;
        List<String> command = new ArrayList<>(List.of("python3", swarm.toString(), "--gen", "single:8M",
                "--seeder", seederKind, "--leecher", leecher, "--tracker", protocol, "--timeout", "120",
                "--tracker-cmd", trackerCmd));
        SwarmRun.expect(command, "leecher=" + leecher + " seeder=" + (seeder.equals("jtorrent") ? "cmd" : seeder)
                + " bytes=8388608 .* ok\\b", 200);
    }

    private static void requireClient(String kind) throws IOException {
        switch (kind) {
            case "lt" -> RealPeers.pythonWithLibtorrent();
            case "jtorrent" -> { } // this build
            case "aria2" -> RealPeers.require("aria2c", "aria2");
            case "qbittorrent" -> RealPeers.require("qbittorrent-nox", "qbittorrent-nox");
            default -> throw new IllegalArgumentException(kind);
        }
    }
}
