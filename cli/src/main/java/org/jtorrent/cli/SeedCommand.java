package org.jtorrent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtorrent seed}: verify the data, then serve it until stopped. */
@Command(name = "seed", mixinStandardHelpOptions = true,
        description = "Verify the data of a torrent, then serve it to peers until stopped (Ctrl-C).")
final class SeedCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.torrent", description = "the .torrent file")
    Path torrent;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "folder that holds the data (a multi-file torrent's folder is inside it)")
    Path data;

    @Mixin
    ListenOptions listen;

    @Mixin
    TransferOptions transfer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Metainfo metainfo = Metainfo.load(torrent);
        DownloadOptions options = listen.applyTo(DownloadOptions.defaults(data, List.of()));
        options = options.withLimits(transfer.limits());
        PrintWriter out = spec.commandLine().getOut();
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
