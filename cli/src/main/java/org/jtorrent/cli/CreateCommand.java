package org.jtorrent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.TorrentCreator;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent create}: make a .torrent, hashing on every core. */
final class CreateCommand extends Command {

    private final Arg<Path> source = positional(Path.class, PositionalParamSpec.builder().required(true)
            .paramLabel("PATH").description("The file or folder to share."));

    private final Arg<Path> output = option(Path.class, OptionSpec.builder("-o", "--output").required(true)
            .paramLabel("OUT.torrent").description("Where to write the torrent."));

    private final Arg<List<String>> trackers = repeatable(OptionSpec.builder("-t", "--tracker").paramLabel("URL")
            .description("Announce URL; repeat for more tiers, separate URLs of one tier with commas."));

    private final Arg<String> pieceLength = option(String.class, OptionSpec.builder("--piece-length").paramLabel("BYTES")
            .description("Piece length: a power of two, at least 16384 (suffixes K and M allowed). Default: chosen by size."));

    private final Arg<Boolean> isPrivate = flag(OptionSpec.builder("--private")
            .description("Mark the torrent private (BEP 27): peers only from its trackers."));

    private final Arg<String> comment = option(String.class, OptionSpec.builder("--comment").paramLabel("TEXT")
            .description("A comment stored in the torrent."));

    private final Arg<List<String>> webSeeds = repeatable(OptionSpec.builder("--web-seed").paramLabel("URL")
            .description("A web seed URL (BEP 19); repeatable."));

    private final Arg<Boolean> noDate = flag(OptionSpec.builder("--no-date")
            .description("Leave out the creation date (reproducible output)."));

    CreateCommand() {
        super("create", "Make a .torrent from a file or a folder, hashing on every core.");
    }

    @Override
    public Integer call() throws Exception {
        TorrentCreator creator = new TorrentCreator(source.get()).makePrivate(isPrivate.get()).comment(comment.get());
        for (String tier : trackers.get()) {
            creator.trackerTier(Arrays.stream(tier.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
        }
        webSeeds.get().forEach(creator::webSeed);
        if (pieceLength.get() != null) {
            creator.pieceLength(Math.toIntExact(Math.min(Sizes.parse(pieceLength.get()), Integer.MAX_VALUE)));
        }
        if (noDate.get()) creator.creationDate(null);

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
        Path output = this.output.get();
        Path absolute = output.toAbsolutePath();
        Path tmp = Files.createTempFile(absolute.getParent(), ".jtorrent-", ".tmp");
        try {
            Files.write(tmp, torrent);
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Metainfo m = Metainfo.parse(torrent);
        PrintWriter out = out();
        out.printf("created %s: %s, %d files, %,d pieces of %s, hashed in %.1f s (%s/s)%n", output,
                Sizes.human(m.info().totalLength()), m.info().files().size(), m.info().pieceCount(),
                Sizes.human(m.info().pieceLength()), seconds, Sizes.human((long) (total / Math.max(seconds, 1e-3))));
        out.printf("info-hash: %s%n", m.infoHash().hex());
        out.flush();
        return 0;
    }
}
