package org.jtorrent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent seed}: verify the data of torrents, then serve them all from one session until stopped. */
final class SeedCommand extends Command {

    private final Arg<List<Path>> torrents = positionals(Path.class, PositionalParamSpec.builder().required(true).arity("1..*")
            .paramLabel("TORRENT").description(".torrent files; all are served at once, in one session on one port"));

    private final Arg<Path> data = option(Path.class, OptionSpec.builder("--data").required(true).paramLabel("DIR")
            .description("folder that holds the data (a multi-file torrent's folder is inside it)"));

    private final Arg<Integer> maxActive = option(Integer.class, OptionSpec.builder("--max-active").paramLabel("N")
            .description("torrents seeding at once; the others wait their turn, and one that moves no data for a "
                    + "minute gives its turn up (default: all of them)"));

    private final Arg<Integer> maxPeers = option(Integer.class, OptionSpec.builder("--max-peers").paramLabel("N")
            .defaultValue(String.valueOf(DownloadOptions.DEFAULT_MAX_PEERS))
            .description("connections per torrent at most (default: ${DEFAULT-VALUE}); --max-connections caps them all"));

    private final Arg<List<String>> peers = repeatable(OptionSpec.builder("--peer").paramLabel("HOST:PORT")
            .description("a peer to dial (repeatable), retried while it does not answer: for a leecher that does not dial "
                    + "out, such as Transmission, which ignores peers at 127.x"));

    private final SessionOptions sessionOptions = new SessionOptions(spec);

    SeedCommand() {
        super("seed", "Verify the data of torrents, then serve them all to peers, in one session on one port, until "
                + "stopped (Ctrl-C). A torrent whose data is incomplete is refused with one line; the others are served.");
    }

    @Override
    public Integer call() throws Exception {
        Path data = this.data.get();
        List<TorrentSources.Source> sources = TorrentSources.load(torrents.get(), false);
        Integer active = maxActive.get();
        if (active != null && active < 1) throw new IllegalArgumentException("--max-active must be at least 1");
        SessionConfig config = sessionOptions.config(sources.size(), maxPeers.get());
        // Every torrent seeds at once (those given, and any the state directory brings back) unless told otherwise.
        config = config.withQueue(config.activeDownloads(), active != null ? active : DownloadCommand.ALL, config.inactiveAfter(),
                config.inactiveRate());
        PrintWriter out = out();
        PrintWriter err = spec.commandLine().getErr();
        Path stateDirectory = sessionOptions.stateDirectory();
        try (Sessions.Running running = Sessions.open(config, stateDirectory)) {
            Session session = running.session();
            session.start(); // before adding: it brings back what the state directory holds first
            StopOnSignal signals = StopOnSignal.install("seed", running::close);
            out.println("listening on port " + session.listenPort());
            // Added paused: each is checked, then served only if its data is complete (never downloaded into DIR).
            TorrentOptions options = TorrentOptions.in(data).withPaused(true).withMaxPeers(maxPeers.get())
                    .withPeers(peers.get().stream().map(DownloadCommand::parsePeer).toList());
            List<TorrentHandle> handles = new ArrayList<>();
            for (TorrentSources.Source s : sources) {
                TorrentHandle handle = Sessions.handleFor(session, s, options);
                String moved = Sessions.folderNote(handle, options);
                if (moved != null) out.println(DownloadProgress.printable(s.name()) + ": " + moved);
                handles.add(handle);
            }
            String others = Sessions.othersNote(session, handles, stateDirectory);
            if (others != null) out.println(others);
            out.flush();
            int refused = 0;
            for (int i = 0; i < sources.size(); i++) {
                TorrentSources.Source source = sources.get(i);
                String problem = serveIfComplete(handles.get(i), data);
                String name = DownloadProgress.printable(source.name());
                if (problem == null) {
                    out.printf("seeding %s (%s)%n", name, source.metainfo().infoHash().hex());
                    out.flush();
                } else {
                    refused++;
                    err.println("jtorrent seed: " + name + ": " + problem);
                    err.flush();
                }
            }
            if (refused == sources.size()) { // each said why above
                signals.uninstall();
                if (sources.size() > 1) err.println("jtorrent seed: nothing to seed");
                return 1;
            }
            out.printf("seeding %d of %d torrents; Ctrl-C stops%n", sources.size() - refused, sources.size());
            out.flush();
            signals.awaitSignal();
            return 0;
        }
    }

    /** Waits for the torrent's check; serves it if its data is complete, else takes it out and says why. */
    private static String serveIfComplete(TorrentHandle handle, Path data) throws IOException, InterruptedException {
        while (handle.state() == TorrentState.CHECKING || handle.state() == TorrentState.FETCHING_METADATA) Thread.sleep(10);
        TorrentStatus status = handle.status();
        String problem = null;
        if (status.state() == TorrentState.ERROR) problem = status.error() + "; refusing to seed it";
        else if (!status.isComplete()) problem = "the data in " + data + " is incomplete or differs from the torrent: "
                + "refusing to seed it (jtorrent download fetches what is missing)";
        if (problem != null) {
            handle.remove(false);
            return DownloadProgress.printable(problem);
        }
        if (handle.state() == TorrentState.PAUSED) handle.resume();
        return null;
    }
}
