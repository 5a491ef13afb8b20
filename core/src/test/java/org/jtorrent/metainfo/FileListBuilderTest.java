package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jtorrent.bencode.Bencode;
import org.junit.jupiter.api.Test;

/**
 * Duplicate names are renamed as libtorrent renames them, in time linear in the torrent: inputs
 * that took 43 s and 6.8 s with the quadratic renaming parse within a bound far above the fixed
 * cost (a hang guard, not a speed test: the figures are in docs/performance.md).
 */
class FileListBuilderTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(5);
    private static final int MANY = 20_000;

    /** 20,000 files all named {@code a}: a 480 KB torrent. */
    static byte[] manyFilesOfOneName() {
        List<Object> files = new ArrayList<>();
        for (int i = 0; i < MANY; i++) files.add(Map.of("length", 1L, "path", List.of("a")));
        return torrent(files, MANY);
    }

    /** One file whose path has 20,000 elements: a 60 KB torrent. */
    static byte[] oneDeepPath() {
        return torrent(List.of(Map.of("length", 1L, "path", Collections.nCopies(MANY, "a"))), 1);
    }

    private static byte[] torrent(List<Object> files, long totalLength) {
        byte[] pieces = new byte[20 * (int) ((totalLength + 16383) / 16384)];
        return Bencode.encode(Map.of("info", Map.of("name", "d", "piece length", 16384L, "pieces", pieces, "files", files)));
    }

    @Test
    void twentyThousandFilesOfOneNameAreRenamedWithoutHanging() {
        byte[] torrent = manyFilesOfOneName();
        List<FileEntry> files = assertTimeoutPreemptively(HANG_GUARD, () -> Metainfo.parse(torrent).info().files());
        assertThat(files).hasSize(MANY);
        assertThat(files.subList(0, 3)).extracting(FileEntry::displayPath).containsExactly("d/a", "d/a.1", "d/a.2");
        assertThat(files.getLast().displayPath()).isEqualTo("d/a." + (MANY - 1));
    }

    @Test
    void aPathOfTwentyThousandElementsParsesWithoutHanging() {
        byte[] torrent = oneDeepPath();
        List<FileEntry> files = assertTimeoutPreemptively(HANG_GUARD, () -> Metainfo.parse(torrent).info().files());
        assertThat(files).singleElement().satisfies(f -> assertThat(f.path()).hasSize(MANY + 1));
    }

    /** Each new series starts at 1 again, and numbers that other files hold are skipped. */
    @Test
    void renamingSkipsTakenNamesAndFolders() throws Exception {
        assertThat(build(List.of("x.txt"), List.of("x.1.txt"), List.of("X.TXT"), List.of("x.2.txt", "f"), List.of("x.txt"),
                List.of("y"), List.of("Y")))
                .containsExactly("x.txt", "x.1.txt", "X.3.TXT", "x.2.txt/f", "x.4.txt", "y", "Y.1");
    }

    /**
     * The linear renaming gives exactly the names of the quadratic one it replaced (kept below as
     * the reference, as it was at 449ae4b), on many random file lists dense in collisions: case
     * variants, names that look like earlier renamings, files that clash with folders, padding.
     */
    @Test
    void sameNamesAsTheQuadraticRenaming() throws Exception {
        String[] names = {"a", "A", "a.1", "A.1", "a.2", "b.txt", "B.TXT", "b.1.txt", "b.1.TXT", "d", "D", "e", "Σ", "σ.1",
                "ς", ".x", "x."};
        Random random = new Random(13);
        for (int round = 0; round < 3_000; round++) {
            FileListBuilder builder = new FileListBuilder();
            List<FileEntry> entries = new ArrayList<>();
            int count = random.nextInt(1, 12);
            for (int i = 0; i < count; i++) {
                List<String> path = new ArrayList<>();
                int depth = random.nextInt(1, 4);
                for (int d = 0; d < depth; d++) path.add(names[random.nextInt(names.length)]);
                boolean padding = random.nextInt(6) == 0;
                long length = padding ? random.nextInt(1, 3) : random.nextInt(0, 3);
                FileAttributes attributes = padding ? FileAttributes.NONE.withPadding() : FileAttributes.NONE;
                builder.add(path, length, attributes);
                entries.add(new FileEntry(path, length, 0, attributes));
            }
            List<List<String>> expected = quadraticRenaming(entries).stream().map(FileEntry::path).toList();
            assertThat(builder.build()).extracting(FileEntry::path).as("round %d: %s", round, entries).isEqualTo(expected);
        }
    }

    private static List<String> build(List<?>... paths) throws InvalidTorrentException {
        FileListBuilder builder = new FileListBuilder();
        for (List<?> p : paths) builder.add(p.stream().map(String::valueOf).toList(), 1, FileAttributes.NONE);
        return builder.build().stream().map(FileEntry::displayPath).toList();
    }

    /** FileListBuilder.build() as it was at 449ae4b: the reference for the names. */
    private static List<FileEntry> quadraticRenaming(List<FileEntry> files) {
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

    private static String key(List<String> path) {
        return String.join("/", path).toLowerCase(Locale.ROOT);
    }
}
