package org.jtorrent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.PeerSummary;
import org.jtorrent.engine.TransferLimits;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
import org.jtorrent.tracker.server.TrackerServer;
import org.jtorrent.tracker.server.TrackerServerConfig;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A whole swarm on this machine, with no internet: makes a payload and its torrent, starts the
 * embedded tracker, one seeder and several leechers (all jtorrent, all on 127.0.0.1), shows their
 * progress, checks every
 * byte they wrote, and tells who uploaded what to whom. Everything lives in a temporary folder that
 * is removed at the end.
 */
final class DemoCommand extends Command {

    private final Arg<Integer> leechers = option(Integer.class, OptionSpec.builder("--leechers").paramLabel("N")
            .defaultValue("4").description("Number of leechers (default: ${DEFAULT-VALUE})."));

    private final Arg<Integer> sizeMib = option(Integer.class, OptionSpec.builder("--size").paramLabel("MIB")
            .defaultValue("48").description("Payload size in MiB (default: ${DEFAULT-VALUE})."));

    private final Arg<Integer> timeoutSeconds = option(Integer.class, OptionSpec.builder("--timeout").paramLabel("SECONDS")
            .defaultValue("120").description("Give up after this long (default: ${DEFAULT-VALUE})."));

    DemoCommand() {
        super("demo", "Run a self-contained swarm on loopback: one seeder, several leechers, verified.");
    }

    /** One member of the swarm. */
    private record Node(String name, Download download) {
    }

    @Override
    public Integer call() throws Exception {
        int leechers = this.leechers.get();
        int sizeMib = this.sizeMib.get();
        int timeoutSeconds = this.timeoutSeconds.get();
        if (leechers < 1 || leechers > 32) throw new IllegalArgumentException("--leechers must be 1..32");
        if (sizeMib < 1 || sizeMib > 4096) throw new IllegalArgumentException("--size must be 1..4096 MiB");
        PrintWriter out = out();
        Path work = Files.createTempDirectory("jtorrent-demo-");
        List<Node> nodes = new ArrayList<>();
        // The tracker lives in this process, on loopback; a short interval lets late leechers learn of early ones.
        // Every node is 127.0.0.1, so the per-address limits meant for a public tracker would list only a few.
        try (TrackerServer tracker = TrackerServer.start(TrackerServerConfig.loopback().withInterval(Duration.ofSeconds(2))
                .withPerAddress(TrackerServerConfig.PerAddressLimits.NONE))) {
            Path payload = makePayload(work.resolve("seed"), (long) sizeMib << 20);
            Path torrentFile = work.resolve("demo.torrent");
            Files.write(torrentFile, new TorrentCreator(payload).comment("jtorrent demo")
                    .trackerTier(List.of(tracker.httpAnnounceUri().toString())).create());
            Metainfo torrent = Metainfo.load(torrentFile);
            out.printf("payload: %s in %d files, %d pieces of %s, info-hash %s%n", Sizes.human(torrent.info().totalLength()),
                    torrent.info().files().size(), torrent.info().pieceCount(), Sizes.human(torrent.info().pieceLength()),
                    torrent.infoHash().hex());

            // Everyone finds everyone through the tracker; short choke rounds so trading starts at once.
            TransferLimits quick = TransferLimits.DEFAULT.quick();
            // The seeder holds the payload already: its re-check finds every piece.
            nodes.add(new Node("seeder", Download.start(torrent,
                    DownloadOptions.defaults(work.resolve("seed"), List.of()).withLimits(quick))));
            for (int i = 1; i <= leechers; i++) {
                nodes.add(new Node("leecher-" + i, Download.start(torrent,
                        DownloadOptions.defaults(work.resolve("leecher-" + i), List.of()).withLimits(quick))));
            }
            out.printf("swarm: tracker %s, 1 seeder and %d leechers on 127.0.0.1, ports %s%n",
                    tracker.httpAnnounceUri(), leechers,
                    nodes.stream().map(n -> String.valueOf(n.download().listenPort())).toList());

            long start = System.nanoTime();
            boolean done = watch(nodes, torrent.info().totalLength(), out, start, Duration.ofSeconds(timeoutSeconds));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!done) throw new IOException("the swarm did not complete within " + timeoutSeconds + " s");

            for (Node n : nodes.subList(1, nodes.size())) {
                verifySame(torrent, work.resolve("seed"), work.resolve(n.name()));
            }
            out.printf("%nall %d leechers complete in %.1f s (%s/s each on average); every file checked byte for byte%n",
                    leechers, seconds, Sizes.human((long) (torrent.info().totalLength() / seconds)));
            printTransfers(nodes, out);
            return 0;
        } finally {
            for (Node n : nodes) n.download().close();
            deleteTree(work);
            out.flush();
        }
    }

    private static boolean watch(List<Node> nodes, long total, PrintWriter out, long start, Duration timeout)
            throws InterruptedException {
        boolean terminal = ProgressBar.isTerminal();
        long deadline = start + timeout.toNanos();
        long lastLine = 0;
        while (System.nanoTime() < deadline) {
            boolean all = nodes.stream().allMatch(n -> n.download().torrent().isComplete());
            long now = System.nanoTime();
            if (all || terminal || now - lastLine > 2_000_000_000L) {
                StringBuilder line = new StringBuilder(String.format("%5.1fs ", (now - start) / 1e9));
                for (Node n : nodes.subList(1, nodes.size())) {
                    long have = n.download().torrent().verifiedBytes();
                    line.append(String.format(" %s %3d%%", n.name().replace("leecher-", "L"), 100 * have / total));
                }
                if (terminal) out.print("\r" + line);
                else out.println(line);
                out.flush();
                lastLine = now;
            }
            if (all) return true;
            Thread.sleep(terminal ? 200 : 100);
        }
        return false;
    }

    /**
     * Every connection has one dialer, which sees the other side's listening port, so the dialer's
     * view of each connection names both ends and both directions.
     */
    private static void printTransfers(List<Node> nodes, PrintWriter out) {
        Map<String, String> byAddress = new LinkedHashMap<>();
        for (Node n : nodes) byAddress.put("127.0.0.1:" + n.download().listenPort(), n.name());
        long[][] sent = new long[nodes.size()][nodes.size()];
        List<String> names = nodes.stream().map(Node::name).toList();
        for (int from = 0; from < nodes.size(); from++) {
            for (PeerSummary p : nodes.get(from).download().torrent().summaries()) {
                String other = byAddress.get(p.address().replaceFirst("^/", "").replace("localhost/", ""));
                if (other == null) continue; // an incoming connection: its dialer reports it
                int to = names.indexOf(other);
                sent[from][to] += p.uploadedBytes();
                sent[to][from] += p.downloadedBytes();
            }
        }
        out.println("who uploaded what to whom (rows upload to columns):");
        StringBuilder header = new StringBuilder(String.format("%-10s", ""));
        for (String n : names) header.append(String.format("%11s", n));
        out.println(header.append(String.format("%11s", "total")));
        for (int from = 0; from < names.size(); from++) {
            StringBuilder row = new StringBuilder(String.format("%-10s", names.get(from)));
            for (int to = 0; to < names.size(); to++) row.append(String.format("%11s", from == to ? "-" : Sizes.human(sent[from][to])));
            out.println(row.append(String.format("%11s", Sizes.human(Arrays.stream(sent[from]).sum()))));
        }
    }

    /** A folder of a few files of varied sizes (one empty), filled from a fixed seed. */
    private static Path makePayload(Path parent, long total) throws IOException {
        Path root = parent.resolve("demo-payload");
        Files.createDirectories(root.resolve("docs"));
        SplittableRandom random = new SplittableRandom(20261124);
        long[] sizes = {total / 2, total / 4, total / 8, total - total / 2 - total / 4 - total / 8, 0};
        String[] names = {"video.bin", "docs/manual.bin", "docs/notes.bin", "extra.bin", "docs/empty.txt"};
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < sizes.length; i++) {
            try (var file = Files.newOutputStream(root.resolve(names[i]))) {
                for (long left = sizes[i]; left > 0; ) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    file.write(chunk, 0, n);
                    left -= n;
                }
            }
        }
        return root;
    }

    private static void verifySame(Metainfo torrent, Path expectedFolder, Path actualFolder) throws Exception {
        for (FileEntry f : torrent.info().files()) {
            if (f.isPadding()) continue;
            Path expected = f.resolveIn(expectedFolder);
            Path actual = f.resolveIn(actualFolder);
            if (!Files.exists(actual) || !Arrays.equals(sha256(expected), sha256(actual))) {
                throw new IOException(actualFolder.getFileName() + ": " + f.displayPath() + " differs from the seeder's copy");
            }
        }
    }

    private static byte[] sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

}
