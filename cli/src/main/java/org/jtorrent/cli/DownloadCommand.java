package org.jtorrent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentOptions;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code jtorrent download}: fetch torrents from their trackers' peers and the peers given, all in
 * one session on one port, serving peers meanwhile.
 */
final class DownloadCommand extends Command {
    /** A queue limit that never makes a torrent wait. */
    static final int ALL = Integer.MAX_VALUE;

    private final Arg<List<String>> sources = positionals(String.class, PositionalParamSpec.builder().required(true).arity("1..*")
            .paramLabel("SOURCE").description(".torrent files or magnet links ('magnet:?xt=urn:btih:...', quoted for the "
                    + "shell); several are fetched at once, in one session on one port"));

    private final Arg<Path> output = option(Path.class, OptionSpec.builder("-o", "--output").paramLabel("DIR")
            .defaultValue(".").description("download folder (default: current folder)"));

    private final Arg<List<String>> peers = repeatable(OptionSpec.builder("--peer").paramLabel("HOST:PORT")
            .description("a peer to download from (repeatable); every torrent dials it"));

    private final Arg<Integer> maxPeers = option(Integer.class, OptionSpec.builder("--max-peers").paramLabel("N")
            .defaultValue(String.valueOf(DownloadOptions.DEFAULT_MAX_PEERS))
            .description("connections per torrent at most (default: ${DEFAULT-VALUE})"));

    private final Arg<Integer> maxActive = option(Integer.class, OptionSpec.builder("--max-active").paramLabel("N")
            .description("torrents downloading at once; the others wait their turn in command-line order "
                    + "(default: all of them)"));

    private final Arg<Boolean> cachedWrites = flag(OptionSpec.builder("--cached-writes")
            .description("write through the operating system's page cache; by default verified pieces go straight "
                    + "to disk (direct I/O) where the file system allows it, which costs less CPU and makes the final flush quick"));

    private final Arg<Boolean> noTrackers = flag(OptionSpec.builder("--no-trackers")
            .description("do not announce to the torrents' trackers"));

    private final Arg<Boolean> json = flag(OptionSpec.builder("--json")
            .description("print one JSON object per torrent with its result at the end, one per line"));

    private final Arg<Double> progressEvery = option(Double.class, OptionSpec.builder("--progress-every")
            .paramLabel("SECONDS").defaultValue("5.0")
            .description("when not on a terminal, print progress lines this often (default: ${DEFAULT-VALUE})"));

    private final Arg<Boolean> keepServing = flag(OptionSpec.builder("--keep-serving")
            .description("after completion, keep serving peers until interrupted"));

    private final Arg<Double> seedRatio = option(Double.class, OptionSpec.builder("--seed-ratio").paramLabel("R")
            .description("after completion, keep seeding each torrent until we uploaded R times its size"));

    private final Arg<String> seedTime = option(String.class, OptionSpec.builder("--seed-time").paramLabel("DURATION")
            .description("after completion, keep seeding each torrent this long (e.g. 90s, 30m, 2h); with --seed-ratio, "
                    + "whichever comes first"));

    private final Arg<Path> saveTorrent = option(Path.class, OptionSpec.builder("--save-torrent").paramLabel("PATH")
            .description("write a magnet link's metadata, once fetched, as a .torrent file: PATH is the file, or an existing "
                    + "folder that gets NAME.torrent for each magnet link (a folder when several are given)"));

    private final Arg<Boolean> metadataOnly = flag(OptionSpec.builder("--metadata-only")
            .description("fetch only the metadata of the magnet links, write it with --save-torrent and exit; nothing is "
                    + "downloaded into the download folder"));

    private final SessionOptions sessionOptions = new SessionOptions(spec);

    private final SelectionOptions selection = new SelectionOptions(spec);

    DownloadCommand() {
        super("download", "Download torrents from the peers their trackers name and those given with --peer, "
                + "serving peers that connect meanwhile; several torrents run at once in one session, on one port. "
                + "A magnet link first fetches the torrent's metadata from its peers (its tr trackers and x.pe "
                + "addresses); --save-torrent keeps it as a .torrent, --metadata-only stops there. "
                + "Data already on disk is re-checked and kept. Exits when every torrent is complete and has seeded as "
                + "asked; non-zero if any failed, with one line for each.");
    }

    @Override
    public Integer call() throws Exception {
        SeedGoals goals = seedGoals();
        TorrentOptions options = torrentOptions();
        List<TorrentSources.Source> torrents = TorrentSources.load(sources.get(), true, true);
        MagnetMetadata metadata = MagnetMetadata.of(saveTorrent.get(), metadataOnly.get(), selection.files(), torrents);
        // Fetching metadata only: the engine goes on to check and download once it has the metadata, until it is
        // taken out a moment later. Whatever it writes meanwhile goes to a scratch folder, never the user's.
        Path scratch = metadataOnly.get() ? Files.createTempDirectory("jtorrent-metadata-") : null;
        if (scratch != null) options = TorrentOptions.in(scratch).withPeers(options.peers()).withMaxPeers(options.maxPeers());
        try {
            return download(torrents, options, goals, metadata);
        } finally {
            if (scratch != null) deleteTree(scratch);
        }
    }

    private int download(List<TorrentSources.Source> torrents, TorrentOptions options, SeedGoals goals, MagnetMetadata metadata)
            throws Exception {
        double every = progressEvery.get();
        if (!(every > 0)) throw new IllegalArgumentException("--progress-every must be a positive number of seconds");
        SessionConfig config = sessionConfig(torrents.size());
        // Progress goes to stderr, so that --json leaves stdout to the JSON objects.
        PrintWriter err = spec.commandLine().getErr();
        DownloadProgress progress = new DownloadProgress(err, ProgressBar.isTerminal(),
                Duration.ofMillis((long) (every * 1000)));
        Path stateDirectory = sessionOptions.stateDirectory();
        try (Sessions.Running running = Sessions.open(config, stateDirectory)) {
            Session session = running.session();
            session.start(); // before adding: it brings back what the state directory holds first
            StopOnSignal signals = StopOnSignal.install("download", running::close);
            DownloadSession run = new DownloadSession(session, goals, metadata, progress, !json.get());
            for (TorrentSources.Source torrent : torrents) {
                if (torrent.isMagnet()) run.add(torrent.selectingOnly(selection.files()), selection.applyTo(options));
                else run.add(torrent, selection.applyTo(options, torrent.metainfo().info()));
            }
            if (!json.get()) {
                err.println("listening on port " + session.listenPort());
                String others = Sessions.othersNote(session, run.handles(), stateDirectory);
                if (others != null) err.println(others);
                err.flush();
            }
            List<DownloadSession.Outcome> outcomes = run.run();
            signals.uninstall();
            PrintWriter out = out();
            List<String> failures = new ArrayList<>();
            for (DownloadSession.Outcome o : outcomes) {
                out.println(json.get() ? ResultJson.line(o.result(), o.status(), o.savedTorrent()) : summary(o, metadata.only()));
                if (o.failed()) failures.add(DownloadProgress.printable(o.name() + ": " + o.error()));
            }
            out.flush();
            if (!failures.isEmpty()) throw new OneLineErrors.Failures(failures);
            return 0;
        }
    }

    /** What the command line asks of the session, for {@code torrents} torrents given. */
    SessionConfig sessionConfig(int torrents) throws UnknownHostException {
        SessionConfig config = sessionOptions.config(torrents, maxPeers.get());
        if (noTrackers.get()) config = config.withTrackers(false, config.tracker());
        if (cachedWrites.get()) config = config.withStorage(config.storage().withDirectWrites(false));
        Integer active = maxActive.get();
        if (active != null && active < 1) throw new IllegalArgumentException("--max-active must be at least 1");
        // A command line download must not leave a torrent queued for ever: every torrent in the session (those
        // given, and any its state directory brings back) runs at once unless told otherwise, and every complete
        // one may seed, so that its seed goal can be met.
        return config.withQueue(active != null ? active : ALL, ALL, config.inactiveAfter(), config.inactiveRate());
    }

    /** What the command line asks of each torrent. */
    TorrentOptions torrentOptions() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String p : peers.get()) addresses.add(parsePeer(p));
        return TorrentOptions.in(output.get()).withPeers(addresses).withMaxPeers(maxPeers.get());
    }

    Path stateDirectory() {
        return sessionOptions.stateDirectory();
    }

    private SeedGoals seedGoals() {
        return new SeedGoals(seedRatio.get(), seedTime.get() == null ? null : parseDuration(seedTime.get()), keepServing.get());
    }

    private static String summary(DownloadSession.Outcome o, boolean metadataOnly) {
        DownloadResult r = o.result();
        String name = DownloadProgress.printable(o.name());
        if (metadataOnly && !o.failed()) {
            return String.format(Locale.ROOT, "%s: metadata saved to %s in %.1f s", name, o.savedTorrent(), r.wallSeconds());
        }
        String how = o.failed() ? "failed" : r.complete() ? "complete" : "incomplete";
        return String.format(Locale.ROOT, "%s: %s: %s downloaded (%s wasted), %s uploaded in %.1f s from %d peers", name, how,
                Sizes.human(r.downloadedBytes()), Sizes.human(r.wastedBytes()), Sizes.human(r.uploadedBytes()), r.wallSeconds(),
                r.peers().size());
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** 90s, 30m, 2h, 1d, or an ISO-8601 duration such as PT1H30M. */
    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("p")) return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
            if (d.isNegative()) throw new IllegalArgumentException();
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (examples: 90s, 30m, 2h)");
        }
    }

    static InetSocketAddress parsePeer(String peer) {
        int colon = peer.lastIndexOf(':');
        if (colon <= 0 || colon == peer.length() - 1) throw new IllegalArgumentException("peer must be HOST:PORT: " + peer);
        String host = peer.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = Integer.parseInt(peer.substring(colon + 1));
        if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port in " + peer);
        return new InetSocketAddress(host, port);
    }
}
