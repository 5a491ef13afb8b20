package org.jtorrent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.dht.DhtNode;
import org.jtorrent.dht.DhtStats;
import org.jtorrent.state.StateDirectory;
import picocli.CommandLine.Model.OptionSpec;

/** {@code jtorrent dht-node}: a standalone Mainline DHT node until SIGTERM or Ctrl-C. */
final class DhtNodeCommand extends Command {
    private final DhtOptions dht = new DhtOptions(spec, "0.0.0.0", 6881);

    private final Arg<Path> state = option(Path.class, OptionSpec.builder("--state").paramLabel("DIR")
            .description("keep the node id and routing table in this state directory, so a restart bootstraps from them"));

    DhtNodeCommand() {
        super("dht-node", "Runs a Mainline DHT node (BEP 5) until SIGTERM or Ctrl-C, printing one line per event.",
                "Without --bootstrap it joins through the public routers; on a loopback address it is a test node.");
    }

    @Override
    public Integer call() throws Exception {
        DhtConfig config = dht.config();
        PrintWriter out = out();
        StateDirectory directory = state.get() == null ? null : StateDirectory.open(state.get());
        DhtNode node = new DhtNode(config);
        boolean v6 = node.isIpv6();
        try {
            if (directory != null) {
                Optional<byte[]> saved = directory.loadDhtState(v6);
                if (saved.isPresent()) out.println("dht state: " + node.restoreState(saved.get()) + " saved nodes to bootstrap from");
            }
            node.onEvent(line -> {
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            });
            node.start();
        } catch (Exception e) {
            node.close();
            if (directory != null) directory.close();
            throw e;
        }
        StopOnSignal.install("dht-node", () -> {
            DhtStats stats = node.stats();
            node.close();
            if (directory != null) {
                directory.saveDhtState(v6, node.saveState());
                directory.close();
            }
            synchronized (out) {
                out.println("dht node stopped: " + stats.tableSize() + " nodes in the routing table, " + stats.storedInfoHashes()
                        + " info-hashes stored, " + stats.queriesAnswered() + " queries answered, " + stats.rateLimited() + " rate-limited, "
                        + stats.malformed() + " malformed");
                out.flush();
            }
        }).awaitSignal();
        return 0;
    }
}
