package org.jtorrent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.metainfo.FileSelection;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.metainfo.Priorities;

/**
 * What {@code jtorrent download} does with a magnet link's metadata when it arrives: writes it as a
 * .torrent ({@code --save-torrent}), applies {@code --files} (unknown until then), and with
 * {@code --metadata-only} ends that torrent there.
 *
 * <p>{@code --save-torrent PATH} names a file, or an existing folder that gets
 * {@code NAME.torrent} for each magnet link (several magnet links need a folder). Files are
 * replaced atomically, so a reader never sees half a torrent.
 */
final class MagnetMetadata {
    private final Path saveTo;
    private final boolean intoFolder;
    private final String files;
    private final boolean only;
    private final Set<Path> written = new HashSet<>();

    private MagnetMetadata(Path saveTo, boolean intoFolder, String files, boolean only) {
        this.saveTo = saveTo;
        this.intoFolder = intoFolder;
        this.files = files;
        this.only = only;
    }

    /**
     * Checks the options against the sources before anything starts; IllegalArgumentException with
     * one line when they do not fit.
     *
     * @param saveTorrent {@code --save-torrent}, or null
     * @param files       {@code --files}, or null
     */
    static MagnetMetadata of(Path saveTorrent, boolean metadataOnly, String files, List<TorrentSources.Source> sources) {
        List<TorrentSources.Source> magnets = sources.stream().filter(TorrentSources.Source::isMagnet).toList();
        if (metadataOnly && saveTorrent == null) {
            throw new IllegalArgumentException("--metadata-only needs --save-torrent FILE (where to write the metadata)");
        }
        if ((saveTorrent != null || metadataOnly) && magnets.isEmpty()) {
            throw new IllegalArgumentException((metadataOnly ? "--metadata-only" : "--save-torrent")
                    + " is for magnet links, and none was given");
        }
        if (metadataOnly) {
            for (TorrentSources.Source s : sources) {
                if (!s.isMagnet()) throw new IllegalArgumentException("--metadata-only: " + s.label() + " is a .torrent file, not a magnet link");
            }
        }
        if (files != null && !magnets.isEmpty()) {
            try {
                FileSelection.checkSyntax(files);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--files: " + e.getMessage());
            }
        }
        boolean intoFolder = false;
        if (saveTorrent != null) {
            intoFolder = Files.isDirectory(saveTorrent);
            if (!intoFolder && magnets.size() > 1) {
                throw new IllegalArgumentException("--save-torrent: " + saveTorrent + " must be an existing folder when several "
                        + "magnet links are given");
            }
            Path parent = saveTorrent.toAbsolutePath().getParent();
            if (!intoFolder && (parent == null || !Files.isDirectory(parent))) {
                throw new IllegalArgumentException("--save-torrent: no such folder: " + parent);
            }
        }
        return new MagnetMetadata(saveTorrent, intoFolder, files, metadataOnly);
    }

    /** Whether the command ends each magnet link's torrent once its metadata is saved. */
    boolean only() {
        return only;
    }

    /** Writes the metadata as a .torrent where asked; where it went, or null when not asked. */
    Path save(Metainfo metainfo) throws IOException {
        if (saveTo == null) return null;
        Path target = saveTo;
        if (intoFolder) {
            target = saveTo.resolve(metainfo.info().name() + ".torrent");
            // Two magnet links of one name in one run: the second keeps its own file.
            if (written.contains(target)) target = saveTo.resolve(metainfo.info().name() + "." + metainfo.infoHash().hex() + ".torrent");
        }
        Path folder = target.toAbsolutePath().getParent();
        Path partial = Files.createTempFile(folder, ".jtorrent-", ".torrent.part");
        try {
            Files.write(partial, metainfo.toTorrentFile());
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        written.add(target);
        return target;
    }

    /**
     * {@code --files} for a torrent whose metadata just arrived: what to tell the user of it (indices
     * past the end ignored, as for a magnet's {@code so}), or null. A magnet link added by this
     * command carried the list as its {@code so}, which the engine applied before making any file;
     * one the state directory had is given it now ({@code apply}).
     */
    String select(TorrentHandle handle, Metainfo metainfo, boolean apply) throws IOException {
        if (files == null) return null;
        int count = metainfo.info().files().size();
        FileSelection selection = FileSelection.parseIgnoringExtra(files, count);
        if (apply) handle.filePriorities(selection.priorities(Priorities.DEFAULT));
        boolean pastEnd = FileSelection.checkSyntax(files) >= count;
        String chosen = selection.files().isEmpty() ? "none" : selection.toString();
        return "--files " + chosen + (pastEnd ? " (indices past " + (count - 1) + " ignored)" : "");
    }
}
