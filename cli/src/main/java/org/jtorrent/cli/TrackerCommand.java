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
import org.jtorrent.id.InfoHash;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import org.jtorrent.tracker.server.TrackerServerConfig.HttpLimits;
import org.jtorrent.tracker.server.TrackerServerConfig.PerAddressLimits;
import picocli.CommandLine.Model.OptionSpec;

/** {@code jtorrent tracker}: the embedded tracker (HTTP and UDP) until SIGTERM or Ctrl-C. */
final class TrackerCommand extends Command {

    private final Arg<Integer> httpPort = option(Integer.class, OptionSpec.builder("--http-port").paramLabel("N")
            .defaultValue("6969").description("HTTP port (0 = any free, -1 = off; default ${DEFAULT-VALUE})"));

    private final Arg<Integer> udpPort = option(Integer.class, OptionSpec.builder("--udp-port").paramLabel("N")
            .defaultValue("6969").description("UDP port (0 = any free, -1 = off; default ${DEFAULT-VALUE})"));

    private final Arg<String> bind = option(String.class, OptionSpec.builder("--bind").paramLabel("ADDR")
            .defaultValue("127.0.0.1").description("address to listen on, e.g. 0.0.0.0 or :: (default ${DEFAULT-VALUE})"));

    private final Arg<Long> intervalSeconds = option(Long.class, OptionSpec.builder("--interval").paramLabel("SECONDS")
            .defaultValue("1800").description("announce interval; peers expire after two (default ${DEFAULT-VALUE})"));

    private final Arg<Path> allow = option(Path.class, OptionSpec.builder("--allow").paramLabel("FILE")
            .description("only track these info-hashes: 40 hex digits per line, # comments"));

    private final Arg<Integer> maxTorrents = option(Integer.class, OptionSpec.builder("--max-torrents").paramLabel("N")
            .defaultValue("100000").description("torrents tracked at once (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxPeersPerTorrent = option(Integer.class, OptionSpec.builder("--max-peers-per-torrent").paramLabel("N")
            .defaultValue("10000").description("peers kept per torrent (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxPeers = option(Integer.class, OptionSpec.builder("--max-peers").paramLabel("N")
            .defaultValue("1000000").description("peers kept over all torrents (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxPortsPerAddress = option(Integer.class, OptionSpec.builder("--max-ports-per-address").paramLabel("N")
            .defaultValue(String.valueOf(PerAddressLimits.DEFAULT.portsPerTorrent()))
            .description("peers one address (IPv4, or IPv6 /64) keeps in one torrent (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxPeersPerAddress = option(Integer.class, OptionSpec.builder("--max-peers-per-address").paramLabel("N")
            .defaultValue(String.valueOf(PerAddressLimits.DEFAULT.peers()))
            .description("peers one address keeps over all torrents (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxHttpConnections = option(Integer.class, OptionSpec.builder("--max-http-connections").paramLabel("N")
            .defaultValue(String.valueOf(HttpLimits.DEFAULT.maxConnections()))
            .description("HTTP connections open at once (default ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxHttpConnectionsPerAddress = option(Integer.class, OptionSpec.builder("--max-http-connections-per-address")
            .paramLabel("N").defaultValue(String.valueOf(PerAddressLimits.DEFAULT.httpConnections()))
            .description("HTTP connections one address may have open (default ${DEFAULT-VALUE})"));

    private final Arg<Long> httpTimeoutMillis = option(Long.class, OptionSpec.builder("--http-timeout").paramLabel("MILLIS")
            .defaultValue(String.valueOf(HttpLimits.DEFAULT.requestTimeout().toMillis()))
            .description("an HTTP connection is closed this long after it was accepted (default ${DEFAULT-VALUE})"));

    TrackerCommand() {
        super("tracker", "Runs a BitTorrent tracker: HTTP announce/scrape (BEP 3, 7, 23, 48) and UDP (BEP 15).",
                "Binds to loopback unless --bind says otherwise. Stops on SIGTERM or Ctrl-C.");
    }

    @Override
    public Integer call() throws Exception {
        InetAddress address = parseAddress(bind.get());
        Path allow = this.allow.get();
        TrackerServerConfig config = new TrackerServerConfig(address, httpPort.get(), udpPort.get(),
                Duration.ofSeconds(intervalSeconds.get()), maxTorrents.get(), maxPeersPerTorrent.get(), maxPeers.get(),
                50, 200, allow == null ? Optional.empty() : Optional.of(readAllowList(allow)),
                new PerAddressLimits(maxPortsPerAddress.get(), maxPeersPerAddress.get(), maxHttpConnectionsPerAddress.get()),
                new HttpLimits(maxHttpConnections.get(), Duration.ofMillis(httpTimeoutMillis.get())));
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
