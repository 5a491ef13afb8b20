package org.jtorrent.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.InvalidMagnetException;
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;

/**
 * The torrents named on a command line, read and checked before anything starts: a file that is
 * missing or not a torrent, a malformed magnet link, the same torrent given twice, or two downloads
 * that would write the same path in one folder stop the command with one line each, before a byte
 * is written, instead of failing one torrent minutes into the run.
 */
final class TorrentSources {
    private TorrentSources() {
    }

    /** What starts a command-line argument that is a magnet link rather than a file. */
    static final String MAGNET_PREFIX = "magnet:";

    /**
     * A torrent as given: a .torrent file ({@code metainfo}) or a magnet link ({@code magnet}),
     * exactly one of the two non-null.
     *
     * @param given the argument, for messages
     */
    record Source(String given, Metainfo metainfo, MagnetLink magnet) {
        Source {
            if ((metainfo == null) == (magnet == null)) throw new IllegalArgumentException("a .torrent or a magnet link");
        }

        boolean isMagnet() {
            return magnet != null;
        }

        InfoHash infoHash() {
            return isMagnet() ? magnet.infoHash() : metainfo.infoHash();
        }

        /** The torrent's name; for a magnet link, its {@code dn}, else its info-hash, until the metadata arrives. */
        String name() {
            if (!isMagnet()) return metainfo.info().name();
            return magnet.displayName().orElse(magnet.infoHash().hex());
        }

        /**
         * This magnet link with {@code files} ({@code --files}) as its BEP 53 {@code so}, which the
         * engine applies as soon as the metadata arrives, before any file is made.
         */
        Source selectingOnly(String files) {
            if (!isMagnet() || files == null) return this;
            return new Source(given, null, new MagnetLink(magnet.infoHash(), magnet.displayName(), magnet.trackers(),
                    magnet.peers(), magnet.webSeeds(), java.util.Optional.of(files)));
        }

        /** How messages name this source: the file, or a magnet link by its info-hash (the link may be long). */
        String label() {
            return isMagnet() ? "magnet " + magnet.infoHash().hex() : given;
        }
    }

    /** The .torrent files of a command that needs their data described (seed): no magnet links. */
    static List<Source> load(List<Path> files, boolean distinctNames) {
        return load(files.stream().map(Path::toString).toList(), distinctNames, false);
    }

    /**
     * Every source, read; throws one line per bad one (a missing file, a corrupt torrent, a malformed
     * magnet link or one where {@code magnets} is false, the same torrent twice, and with
     * {@code distinctNames} two torrents of the same name: they would write the same files in one
     * folder, while seeding both from the same files is fine). An argument that starts with
     * {@code magnet:} is a magnet link; a file of that name can be given as {@code ./magnet:...}.
     */
    static List<Source> load(List<String> given, boolean distinctNames, boolean magnets) {
        List<Source> sources = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<InfoHash, String> seen = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        for (String argument : given) {
            Source source;
            try {
                source = read(argument, magnets);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                continue;
            }
            String same = seen.putIfAbsent(source.infoHash(), source.label());
            if (same != null) {
                problems.add(source.label() + ": the same torrent as " + same + " (" + source.infoHash().hex() + ")");
                continue;
            }
            // Both go into the same folder under their names: their files would overwrite each other. A magnet's
            // name is not known before its metadata, and the engine keeps a torrent's files apart by then.
            String clashing = distinctNames && !source.isMagnet() ? names.putIfAbsent(source.name(), source.label()) : null;
            if (clashing != null) {
                problems.add(source.label() + ": writes " + source.name() + ", as " + clashing + " does");
                continue;
            }
            sources.add(source);
        }
        if (!problems.isEmpty()) throw new OneLineErrors.Failures(problems);
        return sources;
    }

    /** One argument read; IllegalArgumentException with the line that says what is wrong. */
    private static Source read(String argument, boolean magnets) {
        if (argument.regionMatches(true, 0, MAGNET_PREFIX, 0, MAGNET_PREFIX.length())) {
            if (!magnets) {
                throw new IllegalArgumentException(DownloadProgress.printable(shortened(argument)) + ": a magnet link has no data to "
                        + "check: give the .torrent file ('jtorrent download MAGNET --save-torrent FILE' makes one)");
            }
            try {
                return new Source(argument, null, MagnetLink.parse(argument));
            } catch (InvalidMagnetException e) {
                throw new IllegalArgumentException("bad magnet link: " + e.getMessage());
            }
        }
        try {
            return new Source(argument, Metainfo.load(Path.of(argument)), null);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(argument + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(argument + ": permission denied");
        } catch (IOException | InvalidTorrentException | RuntimeException e) {
            throw new IllegalArgumentException(argument + ": " + oneLine(e));
        }
    }

    private static String shortened(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
