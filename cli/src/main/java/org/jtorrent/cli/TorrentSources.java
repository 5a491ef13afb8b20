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
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.Metainfo;

/**
 * The torrents named on a command line, read and checked before anything starts: a file that is
 * missing or not a torrent, the same torrent given twice, or two downloads that would write the
 * same path in one folder stop the command with one line each, before a byte is written, instead
 * of failing one torrent minutes into the run.
 */
final class TorrentSources {
    private TorrentSources() {
    }

    /** A torrent and the file it came from (for messages). */
    record Source(Path file, Metainfo metainfo) {
        String name() {
            return metainfo.info().name();
        }
    }

    /**
     * Every source, read; throws one line per bad one (a missing file, a corrupt torrent, the same
     * torrent twice, and with {@code distinctNames} two torrents of the same name: they would write
     * the same files in one folder, while seeding both from the same files is fine).
     */
    static List<Source> load(List<Path> files, boolean distinctNames) {
        List<Source> sources = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<InfoHash, Path> seen = new HashMap<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            Metainfo metainfo;
            try {
                metainfo = Metainfo.load(file);
            } catch (NoSuchFileException e) {
                problems.add(file + ": no such file");
                continue;
            } catch (AccessDeniedException e) {
                problems.add(file + ": permission denied");
                continue;
            } catch (IOException | InvalidTorrentException | RuntimeException e) {
                problems.add(file + ": " + oneLine(e));
                continue;
            }
            Path same = seen.putIfAbsent(metainfo.infoHash(), file);
            if (same != null) {
                problems.add(file + ": the same torrent as " + same + " (" + metainfo.infoHash().hex() + ")");
                continue;
            }
            // Both go into the same folder under their names: their files would overwrite each other.
            Path clash = distinctNames ? names.putIfAbsent(metainfo.info().name(), file) : null;
            if (clash != null) {
                problems.add(file + ": writes " + metainfo.info().name() + ", as " + clash + " does");
                continue;
            }
            sources.add(new Source(file, metainfo));
        }
        if (!problems.isEmpty()) throw new OneLineErrors.Failures(problems);
        return sources;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
