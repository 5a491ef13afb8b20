package org.jtorrent.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.dht.DhtConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options every DHT command shares: where the node listens and where it bootstraps.
 * {@code --bootstrap} replaces the public routers; on a loopback address the node is a test node
 * (many nodes per IP, no rate limit to speak of, short timeouts; see docs/dht.md).
 */
final class DhtOptions {
    private final Arg<Integer> port;
    private final Arg<String> bind;
    private final Arg<List<String>> bootstrap;
    private final Arg<Boolean> noBootstrap;
    private final Arg<Boolean> readOnly;

    DhtOptions(CommandSpec spec, String defaultBind, int defaultPort) {
        port = Arg.option(spec, Integer.class, OptionSpec.builder("--port").paramLabel("N").defaultValue(String.valueOf(defaultPort))
                .description("UDP port (0 = any free; default ${DEFAULT-VALUE})"));
        bind = Arg.option(spec, String.class, OptionSpec.builder("--bind").paramLabel("ADDR").defaultValue(defaultBind)
                .description("address to listen on; an IPv6 address makes an IPv6 node (default ${DEFAULT-VALUE})"));
        bootstrap = Arg.repeatable(spec, OptionSpec.builder("--bootstrap", "--dht-bootstrap").paramLabel("HOST:PORT")
                .description("a node to bootstrap from, repeatable or comma-separated; replaces the public routers "
                        + "(dht.transmissionbt.com:6881, dht.libtorrent.org:25401, router.bittorrent.com:6881)"));
        noBootstrap = Arg.flag(spec, OptionSpec.builder("--no-bootstrap")
                .description("no bootstrap node at all (the first node of a private DHT)"));
        readOnly = Arg.flag(spec, OptionSpec.builder("--read-only")
                .description("BEP 43: query others but answer no query, and ask not to be added to routing tables"));
    }

    List<InetSocketAddress> bootstrapNodes() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String item : bootstrap.get()) {
            for (String one : item.split(",")) if (!one.isBlank()) out.add(DhtConfig.parseHostPort(one));
        }
        return out;
    }

    DhtConfig config() {
        InetAddress address = TrackerCommand.parseAddress(bind.get());
        int p = port.get();
        if (p < 0 || p > 65535) throw new IllegalArgumentException("--port must be 0..65535, not " + p);
        InetSocketAddress at = new InetSocketAddress(address, p);
        DhtConfig config = DhtConfig.forBind(at);
        List<InetSocketAddress> nodes = bootstrapNodes();
        if (Boolean.TRUE.equals(noBootstrap.get())) {
            if (!nodes.isEmpty()) throw new IllegalArgumentException("--no-bootstrap and --bootstrap contradict each other");
            config = config.withBootstrap(List.of());
        } else if (!nodes.isEmpty()) {
            config = config.withBootstrap(nodes);
        } else {
            config = config.withBootstrap(DhtConfig.DEFAULT_ROUTERS);
        }
        return config.withReadOnly(Boolean.TRUE.equals(readOnly.get()));
    }
}
