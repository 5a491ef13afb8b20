package org.jtorrent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Make a .torrent from a file or a folder, hashing on every core.")
final class CreateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "The file or folder to share.")
    Path source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.torrent", description = "Where to write the torrent.")
    Path output;

    @Option(names = {"-t", "--tracker"}, paramLabel = "URL",
            description = "Announce URL; repeat for more tiers, separate URLs of one tier with commas.")
    List<String> trackers = new ArrayList<>();

    @Option(names = "--piece-length", paramLabel = "BYTES",
            description = "Piece length: a power of two, at least 16384 (suffixes K and M allowed). Default: chosen by size.")
    String pieceLength;

    @Option(names = "--private", description = "Mark the torrent private (BEP 27): peers only from its trackers.")
    boolean isPrivate;

    @Option(names = "--comment", paramLabel = "TEXT", description = "A comment stored in the torrent.")
    String comment;

    @Option(names = "--web-seed", paramLabel = "URL", description = "A web seed URL (BEP 19); repeatable.")
    List<String> webSeeds = new ArrayList<>();

    @Option(names = "--no-date", description = "Leave out the creation date (reproducible output).")
    boolean noDate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TorrentCreator creator = new TorrentCreator(source).makePrivate(isPrivate).comment(comment);
        for (String tier : trackers) {
            creator.trackerTier(Arrays.stream(tier.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
        }
        webSeeds.forEach(creator::webSeed);
        if (pieceLength != null) creator.pieceLength(Math.toIntExact(Math.min(Sizes.parse(pieceLength), Integer.MAX_VALUE)));
        if (noDate) creator.creationDate(null);

        TorrentCreator.Source scanned = creator.scan();
        long total = scanned.totalSize();
        ProgressBar bar = ProgressBar.onTerminal(spec.commandLine().getErr(), "hashing", total);
        AtomicLong done = new AtomicLong();
        creator.onProgress(bytes -> bar.update(done.addAndGet(bytes)));
        long start = System.nanoTime();
        byte[] torrent = creator.create(scanned);
        bar.finish();
        double seconds = (System.nanoTime() - start) / 1e9;

        // Write beside the target and move into place: a crash never leaves a half-written torrent.
        Path absolute = output.toAbsolutePath();
        Path tmp = Files.createTempFile(absolute.getParent(), ".jtorrent-", ".tmp");
        try {
            Files.write(tmp, torrent);
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Metainfo m = Metainfo.parse(torrent);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("created %s: %s, %d files, %,d pieces of %s, hashed in %.1f s (%s/s)%n", output,
                Sizes.human(m.info().totalLength()), m.info().files().size(), m.info().pieceCount(),
                Sizes.human(m.info().pieceLength()), seconds, Sizes.human((long) (total / Math.max(seconds, 1e-3))));
        out.printf("info-hash: %s%n", m.infoHash().hex());
        out.flush();
        return 0;
    }
}
