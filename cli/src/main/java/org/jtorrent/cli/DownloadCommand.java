package org.jtorrent.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent download}: fetch a torrent from its trackers' peers and the peers given, serving them meanwhile. */
final class DownloadCommand extends Command {

    private final Arg<Path> torrent = positional(Path.class, PositionalParamSpec.builder().required(true)
            .paramLabel("FILE.torrent").description("the .torrent file"));

    private final Arg<Path> output = option(Path.class, OptionSpec.builder("-o", "--output").paramLabel("DIR")
            .defaultValue(".").description("download folder (default: current folder)"));

    private final Arg<List<String>> peers = repeatable(OptionSpec.builder("--peer").paramLabel("HOST:PORT")
            .description("a peer to download from (repeatable)"));

    private final Arg<Integer> maxPeers = option(Integer.class, OptionSpec.builder("--max-peers").paramLabel("N")
            .defaultValue(String.valueOf(DownloadOptions.DEFAULT_MAX_PEERS))
            .description("connections at most (default: ${DEFAULT-VALUE})"));

    private final Arg<Boolean> cachedWrites = flag(OptionSpec.builder("--cached-writes")
            .description("write through the operating system's page cache; by default verified pieces go straight "
                    + "to disk (direct I/O) where the file system allows it, which costs less CPU and makes the final flush quick"));

    private final Arg<Boolean> noTrackers = flag(OptionSpec.builder("--no-trackers")
            .description("do not announce to the torrent's trackers"));

    private final Arg<Boolean> json = flag(OptionSpec.builder("--json")
            .description("print one JSON object with the result at the end"));

    private final Arg<Double> progressEvery = option(Double.class, OptionSpec.builder("--progress-every")
            .paramLabel("SECONDS").defaultValue("5.0")
            .description("when not on a terminal, print a progress line this often (default: ${DEFAULT-VALUE})"));

    private final Arg<Boolean> keepServing = flag(OptionSpec.builder("--keep-serving")
            .description("after completion, keep serving peers until interrupted"));

    private final Arg<Double> seedRatio = option(Double.class, OptionSpec.builder("--seed-ratio").paramLabel("R")
            .description("after completion, keep seeding until we uploaded R times the torrent's size"));

    private final Arg<String> seedTime = option(String.class, OptionSpec.builder("--seed-time").paramLabel("DURATION")
            .description("after completion, keep seeding this long (e.g. 90s, 30m, 2h); with --seed-ratio, whichever comes first"));

    private final ListenOptions listen = new ListenOptions(spec);

    private final TransferOptions transfer = new TransferOptions(spec);

    private final SelectionOptions selection = new SelectionOptions(spec);

    DownloadCommand() {
        super("download", "Download a torrent from the peers its trackers name and those given with --peer, "
                + "serving peers that connect meanwhile. Data already on disk is re-checked and kept.");
    }

    @Override
    public Integer call() throws Exception {
        Metainfo metainfo = Metainfo.load(torrent.get());
        DownloadOptions options = selection.applyTo(options(), metainfo.info());
        Duration seedFor = seedTime.get() == null ? null : parseDuration(seedTime.get());
        Double seedRatio = this.seedRatio.get();
        if (seedRatio != null && seedRatio <= 0) throw new IllegalArgumentException("--seed-ratio must be positive");
        // Progress goes to stderr, so that --json leaves stdout to the one JSON object.
        DownloadProgress progress = new DownloadProgress(System.err, ProgressBar.isTerminal(),
                Duration.ofMillis((long) (progressEvery.get() * 1000)));
        try (Download download = Download.start(metainfo, options)) {
            StopOnSignal signals = StopOnSignal.install("download", download::close);
            if (!json.get()) System.err.println("listening on port " + download.listenPort());
            long total = metainfo.info().totalLength();
            while (!download.awaitComplete(Duration.ofMillis(Math.min(1000, progress.intervalMillis())))) {
                progress.update(sample(download));
            }
            progress.finish();
            if (keepServing.get()) Thread.sleep(Long.MAX_VALUE);
            if (seedRatio != null || seedFor != null) seed(download, total, seedRatio, seedFor);
            signals.uninstall();
            DownloadResult result = download.result();
            PrintWriter out = out();
            if (json.get()) out.println(result.toJson());
            else out.printf("complete: %s downloaded (%s wasted), %s uploaded in %.1f s from %d peers%n",
                    Sizes.human(result.downloadedBytes()), Sizes.human(result.wastedBytes()),
                    Sizes.human(result.uploadedBytes()), result.wallSeconds(), result.peers().size());
            return 0;
        }
    }

    /** What the command line asks of the engine. */
    DownloadOptions options() throws UnknownHostException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String p : peers.get()) addresses.add(parsePeer(p));
        DownloadOptions options = listen.applyTo(DownloadOptions.defaults(output.get(), addresses).withMaxPeers(maxPeers.get()));
        if (noTrackers.get()) options = options.withTrackers(false, options.tracker());
        if (cachedWrites.get()) options = options.withStorage(options.storage().withDirectWrites(false));
        return options.withLimits(transfer.limits());
    }

    /** Seeds until the ratio or the time is reached, whichever comes first. */
    private void seed(Download download, long total, Double seedRatio, Duration seedFor) throws InterruptedException {
        long until = seedFor == null ? Long.MAX_VALUE : System.nanoTime() + seedFor.toNanos();
        if (!json.get()) System.err.println("seeding" + (seedRatio != null ? " to ratio " + seedRatio : "")
                + (seedFor != null ? " for " + seedFor.toSeconds() + " s" : ""));
        while (System.nanoTime() < until) {
            if (seedRatio != null && download.result().uploadedBytes() >= seedRatio * total) return;
            Thread.sleep(200);
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

    private static DownloadProgress.Sample sample(Download d) {
        // Progress of what was selected: with --files, the rest of the torrent is not the goal.
        return new DownloadProgress.Sample(d.torrent().haveWantedBytes(), d.torrent().wantedBytes(), d.uploadedBytes(),
                d.torrent().connectionCount(), d.knownPeers(), System.nanoTime());
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
