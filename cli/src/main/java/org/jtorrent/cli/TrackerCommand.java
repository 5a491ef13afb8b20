package org.jtorrent.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jtorrent.id.InfoHash;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtorrent tracker}: the embedded tracker (HTTP and UDP) until SIGTERM or Ctrl-C. */
@Command(name = "tracker", mixinStandardHelpOptions = true,
        description = {"Runs a BitTorrent tracker: HTTP announce/scrape (BEP 3, 7, 23, 48) and UDP (BEP 15).",
                "Binds to loopback unless --bind says otherwise. Stops on SIGTERM or Ctrl-C."})
final class TrackerCommand implements Callable<Integer> {

    @Option(names = "--http-port", paramLabel = "N", description = "HTTP port (0 = any free, -1 = off; default ${DEFAULT-VALUE})")
    int httpPort = 6969;

    @Option(names = "--udp-port", paramLabel = "N", description = "UDP port (0 = any free, -1 = off; default ${DEFAULT-VALUE})")
    int udpPort = 6969;

    @Option(names = "--bind", paramLabel = "ADDR", description = "address to listen on, e.g. 0.0.0.0 or :: (default ${DEFAULT-VALUE})")
    String bind = "127.0.0.1";

    @Option(names = "--interval", paramLabel = "SECONDS", description = "announce interval; peers expire after two (default ${DEFAULT-VALUE})")
    long intervalSeconds = 1800;

    @Option(names = "--allow", paramLabel = "FILE", description = "only track these info-hashes: 40 hex digits per line, # comments")
    Path allow;

    @Option(names = "--max-torrents", paramLabel = "N", description = "torrents tracked at once (default ${DEFAULT-VALUE})")
    int maxTorrents = 100_000;

    @Option(names = "--max-peers-per-torrent", paramLabel = "N", description = "peers kept per torrent (default ${DEFAULT-VALUE})")
    int maxPeersPerTorrent = 10_000;

    @Option(names = "--max-peers", paramLabel = "N", description = "peers kept over all torrents (default ${DEFAULT-VALUE})")
    int maxPeers = 1_000_000;

    /** Open HTTP connections the command accepts; the JDK server's default is unlimited. */
    static final int MAX_HTTP_CONNECTIONS = 4096;

    @Override
    public Integer call() throws Exception {
        // Read once by the JDK HTTP server; set here, not in the library, which must not change
        // process-wide settings behind an embedding application's back.
        if (System.getProperty("sun.net.httpserver.maxConnections") == null) {
            System.setProperty("sun.net.httpserver.maxConnections", String.valueOf(MAX_HTTP_CONNECTIONS));
        }
        InetAddress address = parseAddress(bind);
        TrackerServerConfig config = new TrackerServerConfig(address, httpPort, udpPort, Duration.ofSeconds(intervalSeconds),
                maxTorrents, maxPeersPerTorrent, maxPeers, 50, 200, allow == null ? Optional.empty() : Optional.of(readAllowList(allow)));
        TrackerServer server = TrackerServer.start(config);
        StopOnSignal.install("tracker", server::close).awaitSignal();
        return 0;
    }

    /** A literal address only: {@code --bind} never triggers a DNS lookup. */
    static InetAddress parseAddress(String text) {
        if (!text.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("--bind needs an IP address, not '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("--bind: not an IP address: " + text);
        }
    }

    static Set<InfoHash> readAllowList(Path file) throws IOException {
        Set<InfoHash> hashes = new HashSet<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash).strip();
            if (line.isEmpty()) continue;
            try {
                hashes.add(InfoHash.fromHex(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": not a 40-hex-digit info-hash: " + line);
            }
        }
        return hashes;
    }
}
