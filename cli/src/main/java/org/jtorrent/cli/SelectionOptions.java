package org.jtorrent.cli;

import org.jtorrent.engine.Selection;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.FileSelection;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.Priorities;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Which files a download fetches and in what order: {@code --files}, {@code --sequential}, {@code --first-last}. */
final class SelectionOptions {
    private final Arg<String> files;
    private final Arg<Boolean> sequential;
    private final Arg<Boolean> firstLast;

    /** Adds these options to {@code spec}. */
    SelectionOptions(CommandSpec spec) {
        files = Arg.option(spec, String.class, OptionSpec.builder("--files").paramLabel("LIST")
                .description("Download only these files, by index as 'jtorrent info' numbers them (0-based, BEP 53 "
                        + "syntax: 0,2,4-6). Files left out are not created; the bytes of theirs that shared pieces "
                        + "hold are kept in a hidden part file in the download folder (default: every file)."));
        sequential = Arg.flag(spec, OptionSpec.builder("--sequential")
                .description("Fetch pieces in order (for playing while downloading) instead of rarest first."));
        firstLast = Arg.flag(spec, OptionSpec.builder("--first-last")
                .description("Fetch the first and last piece of each selected file before the rest."));
    }

    /**
     * The selection for a torrent given as a magnet link, whose files are not known yet: the order
     * options now; {@code --files} applies once the metadata arrives ({@link MagnetMetadata}).
     */
    TorrentOptions applyTo(TorrentOptions options) {
        return options.withSelection(new Selection(null, sequential.get(), firstLast.get()));
    }

    /** {@code --files} as given, or null. */
    String files() {
        return files.get();
    }

    /** The selection for this torrent; a bad --files list is an IllegalArgumentException with a one-line reason. */
    TorrentOptions applyTo(TorrentOptions options, InfoDict info) {
        int[] priorities = null;
        if (files.get() != null) {
            FileSelection chosen;
            try {
                chosen = FileSelection.parse(files.get(), info.files().size());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--files: " + e.getMessage());
            }
            priorities = chosen.priorities(Priorities.DEFAULT);
        }
        return options.withSelection(new Selection(priorities, sequential.get(), firstLast.get()));
    }
}
