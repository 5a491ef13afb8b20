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

    /**
     * The files, each duplicate renamed: libtorrent's rule ({@code resolve_duplicate_filenames_slow}),
     * in time linear in the size of the file list. Folders are taken first, so no file takes a
     * folder's name; then each file in order takes its name, or else the first free of
     * {@code base.1.ext}, {@code base.2.ext}, ... in its folder. Names are compared case-folded.
     *
     * <p>Two things kept the old way quadratic, and a small torrent could use them: every folder
     * prefix of every path was joined into a string (a path of 20,000 elements made 20,000 strings
     * of up to 40,000 characters), and every duplicate counted from {@code .1} again (20,000 files
     * named {@code a} tried 200 million names). Now names live in a tree of folders, one case-folded
     * element per level; and each folder remembers, per first candidate name, the number to try
     * next: a name once taken stays taken, so the numbers below it need not be tried again.
     */
    List<FileEntry> build() {
        Folder root = new Folder();
        Folder[] parents = new Folder[files.size()];
        for (int f = 0; f < parents.length; f++) {
            List<String> path = files.get(f).path();
            Folder folder = root;
            for (int i = 0; i < path.size() - 1; i++) folder = folder.subfolder(fold(path.get(i)));
            parents[f] = folder;
        }
        List<FileEntry> result = new ArrayList<>(files.size());
        for (int i = 0; i < parents.length; i++) {
            FileEntry f = files.get(i);
            Folder folder = parents[i];
            List<String> path = f.path();
            String last = path.getLast();
            String name = fold(last);
            if (f.isPadding()) {
                // Padding files of one size may share a name: they are never written.
                Long size = folder.paddingSizes.putIfAbsent(name, f.length());
                if (size == null || size == f.length()) {
                    folder.files.add(name);
                    result.add(f);
                    continue;
                }
            }
            if (folder.take(name)) {
                result.add(f);
                continue;
            }
            int dot = last.lastIndexOf('.');
            String base = dot > 0 ? last.substring(0, dot) : last;
            String extension = dot > 0 ? last.substring(dot) : "";
            // Keyed by the first candidate, case-folded: files whose first candidates fold alike
            // have the same candidates all the way (only the number differs), so they share a count.
            String series = fold(base + ".1" + extension);
            int n = folder.nextNumber.getOrDefault(series, 1);
            String renamed;
            for (; ; n++) {
                renamed = base + "." + n + extension;
                if (folder.take(fold(renamed))) break;
            }
            folder.nextNumber.put(series, n + 1);
            List<String> newPath = new ArrayList<>(path);
            newPath.set(newPath.size() - 1, renamed);
            result.add(new FileEntry(newPath, f.length(), f.offset(), f.attributes()));
        }
        return result;
    }

    /** One folder of the torrent: the case-folded names taken in it. */
    private static final class Folder {
        final Map<String, Folder> subfolders = new HashMap<>();
        final Set<String> files = new HashSet<>();
        final Map<String, Long> paddingSizes = new HashMap<>();
        /** Per series of renamings, the number to try next (every lower one is taken). */
        final Map<String, Integer> nextNumber = new HashMap<>();

        Folder subfolder(String name) {
            return subfolders.computeIfAbsent(name, n -> new Folder());
        }

        /** Takes {@code name} for a file: false when a folder or another file has it. */
        boolean take(String name) {
            return !subfolders.containsKey(name) && files.add(name);
        }
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

    /**
     * One path element, case-folded. Folding element by element is folding the joined path: the
     * only context-dependent mapping (Greek final sigma) looks no further than the word, and
     * {@code /} ends a word.
     */
    private static String fold(String element) {
        return element.toLowerCase(Locale.ROOT);
    }
}
