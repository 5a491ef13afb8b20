package org.jtorrent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * aria2c as a test peer, with the harness's loopback settings (no DHT, LPD or PEX; every socket on
 * 127.0.0.1; no preallocation). One place for them, so every interop test runs the same aria2.
 */
public final class Aria2 {
    private Aria2() {
    }

    /** A leecher of {@code torrentFile} into {@code out}, listening on {@code port}; it exits 0 once complete. */
    public static External leecher(Path log, Path torrentFile, Path out, int port) throws IOException {
        return start(log, torrentFile, out, port, List.of("--seed-time=0"));
    }

    /** A seeder of the data in {@code data}, trusted without a check; {@code extra} options after the usual ones. */
    public static External seeder(Path log, Path torrentFile, Path data, int port, String... extra) throws IOException {
        List<String> options = new ArrayList<>(List.of("--seed-ratio=0.0", "--bt-seed-unverified=true", "--check-integrity=false"));
        options.addAll(List.of(extra));
        return start(log, torrentFile, data, port, options);
    }

    private static External start(Path log, Path torrentFile, Path folder, int port, List<String> role) throws IOException {
        Path aria2 = RealPeers.require("aria2c", "aria2");
        List<String> command = new ArrayList<>(List.of(aria2.toString(), "--enable-dht=false", "--enable-dht6=false",
                "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--interface=127.0.0.1", "--disable-ipv6=true",
                "--listen-port=" + port, "--dht-listen-port=" + freePort(), "--file-allocation=none"));
        command.addAll(role);
        command.addAll(List.of("--console-log-level=notice", "--summary-interval=0", "-d", folder.toString(), torrentFile.toString()));
        return External.start(log, command);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
