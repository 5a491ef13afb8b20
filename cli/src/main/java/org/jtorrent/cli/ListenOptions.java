package org.jtorrent.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import org.jtorrent.engine.SessionConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Where a command listens for peers, shared by download and seed. */
final class ListenOptions {
    /** The customary BitTorrent ports: peers and firewalls expect them. */
    static final int FIRST_PORT = 6881;
    static final int LAST_PORT = 6889;

    private final Arg<Integer> port;
    private final Arg<String> bind;

    /** Adds these options to {@code spec}. */
    ListenOptions(CommandSpec spec) {
        port = Arg.option(spec, Integer.class, OptionSpec.builder("--port").paramLabel("N")
                .description("Listen port for incoming peers (default: the first free of 6881-6889; 0: any free port)."));
        bind = Arg.option(spec, String.class, OptionSpec.builder("--bind").paramLabel("ADDR")
                .description("Local address to listen on and dial from (default: loopback, so nothing leaves this machine)."));
    }

    SessionConfig applyTo(SessionConfig config) throws UnknownHostException {
        String bind = this.bind.get();
        Integer port = this.port.get();
        InetAddress address = bind == null ? config.bind() : InetAddress.getByName(bind);
        int chosen = port != null ? port : firstFreePort(address);
        if (chosen < 0 || chosen > 65535) throw new IllegalArgumentException("--port must be 0..65535");
        return config.withBind(address).withListenPort(chosen);
    }

    /** The first of 6881-6889 free on {@code address}, or 0 (any) when all are taken. */
    static int firstFreePort(InetAddress address) {
        for (int candidate = FIRST_PORT; candidate <= LAST_PORT; candidate++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(address, candidate));
                return candidate;
            } catch (IOException taken) {
                // try the next one
            }
        }
        return 0;
    }
}
