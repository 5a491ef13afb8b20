package org.jtorrent.cli;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.mse.EncryptionPolicy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What every command that runs a session takes: where it listens ({@link ListenOptions}), its rate
 * limits and upload slots ({@link TransferOptions}), its state folder ({@link StateOptions}), its
 * connection cap and its encryption policy. The queue limits are each command's own.
 */
final class SessionOptions {
    private final ListenOptions listen;
    private final TransferOptions transfer;
    private final StateOptions state;
    private final Arg<Integer> maxConnections;
    private final Arg<String> encryption;
    private final Arg<Boolean> dht;
    private final Arg<java.util.List<String>> dhtBootstrap;

    /** Adds these options to {@code spec}. */
    SessionOptions(CommandSpec spec) {
        listen = new ListenOptions(spec);
        transfer = new TransferOptions(spec);
        state = new StateOptions(spec);
        maxConnections = Arg.option(spec, Integer.class, OptionSpec.builder("--max-connections").paramLabel("N")
                .description("Open peer connections over all torrents, at most (default: "
                        + SessionConfig.DEFAULT_MAX_CONNECTIONS + ")."));
        encryption = Arg.option(spec, String.class, OptionSpec.builder("--encryption").paramLabel("POLICY")
                .description("Protocol encryption (MSE/PE): prefer (default: try it when dialling, fall back to plaintext; "
                        + "accept both), require (RC4 only, both ways; plaintext peers refused), disable (plaintext only)."));
        dht = Arg.flag(spec, OptionSpec.builder("--dht")
                .description("Find peers through the Mainline DHT too (not for private torrents), on the --port number over UDP, "
                        + "bootstrapped from the public routers unless --dht-bootstrap says otherwise."));
        dhtBootstrap = Arg.repeatable(spec, OptionSpec.builder("--dht-bootstrap").paramLabel("HOST:PORT")
                .description("A DHT node to bootstrap from (repeatable or comma-separated); implies --dht and replaces the public routers."));
    }

    /** The session's settings for {@code torrents} torrents of at most {@code maxPeersEach} connections each. */
    SessionConfig config(int torrents, int maxPeersEach) throws UnknownHostException {
        Integer given = maxConnections.get();
        if (given != null && given < 1) throw new IllegalArgumentException("--max-connections must be at least 1");
        // Unless told, one torrent may have all the connections it is allowed, as before sessions.
        int connections = given != null ? given : Math.max(SessionConfig.DEFAULT_MAX_CONNECTIONS, maxPeersEach);
        SessionConfig config = listen.applyTo(SessionConfig.defaults());
        config = config.withPeerConfig(config.peer().withEncryption(encryptionPolicy()));
        config = config.withConnectionCaps(connections, config.maxHalfOpen()).withLimits(transfer.limits(torrents));
        List<java.net.InetSocketAddress> boot = new ArrayList<>();
        for (String item : dhtBootstrap.get()) for (String one : item.split(",")) if (!one.isBlank()) boot.add(DhtConfig.parseHostPort(one));
        if (boot.isEmpty() && !Boolean.TRUE.equals(dht.get())) return config;
        // port 0: the session puts the DHT on the TCP port's number
        DhtConfig node = DhtConfig.forBind(new java.net.InetSocketAddress(config.bind(), 0));
        return config.withDht(node.withBootstrap(boot.isEmpty() ? DhtConfig.DEFAULT_ROUTERS : boot));
    }

    private EncryptionPolicy encryptionPolicy() {
        String given = encryption.get();
        if (given == null) return EncryptionPolicy.PREFER;
        return switch (given.toLowerCase(Locale.ROOT)) {
            case "prefer" -> EncryptionPolicy.PREFER;
            case "require" -> EncryptionPolicy.REQUIRE;
            case "disable" -> EncryptionPolicy.DISABLE;
            default -> throw new IllegalArgumentException("--encryption must be prefer, require or disable, not '" + given + "'");
        };
    }

    Path stateDirectory() {
        return state.directory();
    }
}
