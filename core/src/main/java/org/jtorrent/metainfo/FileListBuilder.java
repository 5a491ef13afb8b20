package org.jtorrent.metainfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Collects a torrent's files in stream order, assigning offsets, and renames duplicate paths
 * ({@code a.txt} becomes {@code a.1.txt}) as libtorrent does, so two entries never share one file
 * on disk. Paths are compared ignoring case, because the download folder may be on a
 * case-insensitive file system.
 */
final class FileListBuilder {
    private final List<FileEntry> files = new ArrayList<>();
    private long offset;

    void add(List<String> path, long length, FileAttributes attributes) throws InvalidTorrentException {
        if (length > MetainfoParser.MAX_FILE_SIZE - offset) throw new InvalidTorrentException("invalid length of torrent");
        files.add(new FileEntry(path, length, offset, attributes));
        offset += length;
    }

    boolean isEmpty() {
        return files.isEmpty();
    }

    long totalLength() {
        return offset;
    }

    List<FileEntry> build() {
        Set<String> taken = new HashSet<>();
        Map<String, Long> paddingSizes = new HashMap<>();
        for (FileEntry f : files) {
            List<String> path = f.path();
            for (int i = 1; i < path.size(); i++) taken.add(key(path.subList(0, i)) + "/"); // folders
        }
        List<FileEntry> result = new ArrayList<>(files.size());
        for (FileEntry f : files) {
            String key = key(f.path());
            if (f.isPadding()) {
                // Padding files of one size may share a name: they are never written.
                Long size = paddingSizes.putIfAbsent(key, f.length());
                if (size == null || size == f.length()) {
                    taken.add(key);
                    result.add(f);
                    continue;
                }
            }
            if (taken.add(key) && !taken.contains(key + "/")) {
                result.add(f);
                continue;
            }
            List<String> path = new ArrayList<>(f.path());
            String last = path.getLast();
            int dot = last.lastIndexOf('.');
            String base = dot > 0 ? last.substring(0, dot) : last;
            String extension = dot > 0 ? last.substring(dot) : "";
            for (int n = 1; ; n++) {
                path.set(path.size() - 1, base + "." + n + extension);
                String candidate = key(path);
                if (!taken.contains(candidate + "/") && taken.add(candidate)) break;
            }
            result.add(new FileEntry(path, f.length(), f.offset(), f.attributes()));
        }
        return result;
    }

    /**
     * Whether the v1 file list (without padding) names the same files, with the same sizes, as a
     * hybrid torrent's v2 file tree, and every v1 file starts on a piece boundary as v2 requires.
     */
    boolean sameContentAs(List<MetainfoParser.V2File> v2Files, long pieceLength, boolean multiFile) {
        List<FileEntry> v1 = files.stream().filter(f -> !f.isPadding()).toList();
        if (v1.size() != v2Files.size()) return false;
        for (int i = 0; i < v1.size(); i++) {
            FileEntry a = v1.get(i);
            MetainfoParser.V2File b = v2Files.get(i);
            List<String> v1Path = a.path().subList(multiFile ? 1 : 0, a.path().size());
            List<String> v2Path = b.path();
            if (a.length() != b.length() || !v1Path.equals(v2Path)) return false;
            if (a.length() > 0 && a.offset() % pieceLength != 0) return false;
        }
        return true;
    }

    private static String key(List<String> path) {
        return String.join("/", path).toLowerCase(Locale.ROOT);
    }
}
