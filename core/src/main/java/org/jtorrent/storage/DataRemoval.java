package org.jtorrent.storage;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.TreeSet;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;

/**
 * Deletes a torrent's data: "remove with data". Only the torrent's own files go, each only if it
 * is a regular file (a symbolic link in its place is left alone, and nothing is followed out of the
 * folder), and then the directories the torrent's paths name, deepest first, only if empty: a user's
 * file dropped into the torrent's folder survives, and so does its folder.
 */
public final class DataRemoval {
    private DataRemoval() {
    }

    /** Deletes what it can; returns how many files were deleted. The first failure is rethrown at the end. */
    public static int delete(InfoDict info, Path downloadFolder) throws StorageException {
        if (!Files.isDirectory(downloadFolder, LinkOption.NOFOLLOW_LINKS)) return 0;
        Path root;
        try {
            root = downloadFolder.toRealPath();
        } catch (IOException e) {
            throw StorageException.of("deleting data in", downloadFolder, e);
        }
        int deleted = 0;
        StorageException first = null;
        TreeSet<Path> directories = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed().thenComparing(p -> p));
        for (FileEntry f : info.files()) {
            Path target = f.resolveIn(root);
            if (!target.normalize().startsWith(root) || target.equals(root)) continue;
            for (Path dir = target.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
                directories.add(dir);
            }
            try {
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(target)) deleted++;
            } catch (IOException e) {
                if (first == null) first = StorageException.of("deleting", f.displayPath(), e);
            }
        }
        for (Path dir : directories) {
            try {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException kept) {
                // someone else's file is in it, or it is gone already
            } catch (IOException e) {
                if (first == null) first = StorageException.of("deleting", dir, e);
            }
        }
        if (first != null) throw first;
        return deleted;
    }
}
