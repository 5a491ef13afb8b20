package org.jtorrent.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jtorrent download}: fetch a torrent from its trackers' peers and the peers given, serving them meanwhile. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download a torrent from the peers its trackers name and those given with --peer, "
                + "serving peers that connect meanwhile. Data already on disk is re-checked and kept.")
final class DownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.torrent", description = "the .torrent file")
    Path torrent;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "download folder (default: current folder)")
    Path output = Path.of(".");

    @Option(names = "--peer", paramLabel = "HOST:PORT", description = "a peer to download from (repeatable)")
    List<String> peers = new ArrayList<>();

    @Option(names = "--max-peers", paramLabel = "N", description = "connections at most (default: ${DEFAULT-VALUE})")
    int maxPeers = DownloadOptions.DEFAULT_MAX_PEERS;

    @Option(names = "--cached-writes",
            description = "write through the operating system's page cache; by default verified pieces go straight "
                    + "to disk (direct I/O) where the file system allows it, which costs less CPU and makes the final flush quick")
    boolean cachedWrites;

    @Option(names = "--no-trackers", description = "do not announce to the torrent's trackers")
    boolean noTrackers;

    @Option(names = "--json", description = "print one JSON object with the result at the end")
    boolean json;

    @Option(names = "--progress-every", paramLabel = "SECONDS",
            description = "when not on a terminal, print a progress line this often (default: ${DEFAULT-VALUE})")
    double progressEvery = 5;

    @Option(names = "--keep-serving", description = "after completion, keep serving peers until interrupted")
    boolean keepServing;

    @Option(names = "--seed-ratio", paramLabel = "R",
            description = "after completion, keep seeding until we uploaded R times the torrent's size")
    Double seedRatio;

    @Option(names = "--seed-time", paramLabel = "DURATION",
            description = "after completion, keep seeding this long (e.g. 90s, 30m, 2h); with --seed-ratio, whichever comes first")
    String seedTime;

    @Mixin
    ListenOptions listen;

    @Mixin
    TransferOptions transfer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Metainfo metainfo = Metainfo.load(torrent);
        DownloadOptions options = options();
        Duration seedFor = seedTime == null ? null : parseDuration(seedTime);
        if (seedRatio != null && seedRatio <= 0) throw new IllegalArgumentException("--seed-ratio must be positive");
        // Progress goes to stderr, so that --json leaves stdout to the one JSON object.
        DownloadProgress progress = new DownloadProgress(System.err, ProgressBar.isTerminal(),
                Duration.ofMillis((long) (progressEvery * 1000)));
        try (Download download = Download.start(metainfo, options)) {
            StopOnSignal signals = StopOnSignal.install("download", download::close);
            if (!json) System.err.println("listening on port " + download.listenPort());
            long total = metainfo.info().totalLength();
            while (!download.awaitComplete(Duration.ofMillis(Math.min(1000, progress.intervalMillis())))) {
                progress.update(sample(download, total));
            }
            progress.finish();
            if (keepServing) Thread.sleep(Long.MAX_VALUE);
            if (seedRatio != null || seedFor != null) seed(download, total, seedFor);
            signals.uninstall();
            DownloadResult result = download.result();
            PrintWriter out = spec.commandLine().getOut(); // not System.out: tests and embedders capture it
            if (json) out.println(result.toJson());
            else out.printf("complete: %s downloaded (%s wasted), %s uploaded in %.1f s from %d peers%n",
                    Sizes.human(result.downloadedBytes()), Sizes.human(result.wastedBytes()),
                    Sizes.human(result.uploadedBytes()), result.wallSeconds(), result.peers().size());
            return 0;
        }
    }

    /** What the command line asks of the engine. */
    DownloadOptions options() throws UnknownHostException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String p : peers) addresses.add(parsePeer(p));
        DownloadOptions options = listen.applyTo(DownloadOptions.defaults(output, addresses).withMaxPeers(maxPeers));
        if (noTrackers) options = options.withTrackers(false, options.tracker());
        if (cachedWrites) options = options.withStorage(options.storage().withDirectWrites(false));
        return options.withLimits(transfer.limits());
    }

    /** Seeds until the ratio or the time is reached, whichever comes first. */
    private void seed(Download download, long total, Duration seedFor) throws InterruptedException {
        long until = seedFor == null ? Long.MAX_VALUE : System.nanoTime() + seedFor.toNanos();
        if (!json) System.err.println("seeding" + (seedRatio != null ? " to ratio " + seedRatio : "")
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

    private static DownloadProgress.Sample sample(Download d, long total) {
        return new DownloadProgress.Sample(d.torrent().haveBytes(), total, d.uploadedBytes(),
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
