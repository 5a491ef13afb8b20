package org.jtorrent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent seed}: verify the data, then serve it until stopped. */
final class SeedCommand extends Command {

    private final Arg<Path> torrent = positional(Path.class, PositionalParamSpec.builder().required(true)
            .paramLabel("FILE.torrent").description("the .torrent file"));

    private final Arg<Path> data = option(Path.class, OptionSpec.builder("--data").required(true).paramLabel("DIR")
            .description("folder that holds the data (a multi-file torrent's folder is inside it)"));

    private final Arg<Integer> maxPeers = option(Integer.class, OptionSpec.builder("--max-peers").paramLabel("N")
            .defaultValue(String.valueOf(DownloadOptions.DEFAULT_MAX_PEERS))
            .description("connections at most (default: ${DEFAULT-VALUE})"));

    private final ListenOptions listen = new ListenOptions(spec);

    private final TransferOptions transfer = new TransferOptions(spec);

    SeedCommand() {
        super("seed", "Verify the data of a torrent, then serve it to peers until stopped (Ctrl-C).");
    }

    @Override
    public Integer call() throws Exception {
        Path data = this.data.get();
        Metainfo metainfo = Metainfo.load(torrent.get());
        DownloadOptions options = listen.applyTo(DownloadOptions.defaults(data, List.of()).withMaxPeers(maxPeers.get()));
        options = options.withLimits(transfer.limits());
        PrintWriter out = out();
        try (Download download = Download.start(metainfo, options)) {
            if (!download.torrent().isComplete()) {
                throw new IOException("the data in " + data + " is incomplete or differs from the torrent: "
                        + "refusing to seed it (jtorrent download fetches what is missing)");
            }
            out.printf("seeding %s (%s) on port %d; Ctrl-C stops%n", metainfo.info().name(),
                    metainfo.infoHash().hex(), download.listenPort());
            out.flush();
            StopOnSignal.install("seed", download::close).awaitSignal();
            return 0;
        }
    }
}
