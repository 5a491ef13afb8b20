package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target of the .torrent parser (docs/fuzzing.md). Any input parses or throws
 * {@link InvalidTorrentException}; a parsed torrent is consistent (info-hash over the info bytes as
 * they were in the input, files contiguous and adding up to the total, 20 bytes of hash per
 * piece), its paths are safe and distinct on a case-insensitive disk, parsing allocates in
 * proportion to the input, and the info dictionary alone, re-wrapped, parses to the same torrent.
 * The shared corpus (/work/shared/corpus) goes through the same checks as a plain test.
 */
class MetainfoFuzzTest {
    /**
     * The bencode tokens, a few hundred bytes of objects per file entry (each takes 20-odd input
     * bytes), and the sanitiser's UTF-8 decoder per multi-byte character: far above what a real
     * torrent needs, far below what anything quadratic in the input reaches.
     */
    static long allocationLimit(int inputLength) {
        return 200L * inputLength + 1024 * 1024;
    }

    @DictionaryEntries({"4:info", "6:pieces", "12:piece length", "5:files", "4:path", "9:path.utf-8", "6:length",
            "4:name", "9:name.utf-8", "12:meta version", "9:file tree", "11:pieces root", "4:attr", "12:symlink path",
            "13:announce-list", "8:url-list", "7:private", "18:_____padding_file_"})
    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        check(input);
    }

    static Stream<Path> sharedCorpus() throws IOException {
        Path corpus = RealPeers.corpus();
        if (!Files.isDirectory(corpus)) return Stream.empty();
        try (Stream<Path> files = Files.walk(corpus)) {
            return files.filter(p -> p.toString().endsWith(".torrent")).sorted().toList().stream();
        }
    }

    /** The shared corpus is read where it is, at test time: its files are not ours to copy. */
    @ParameterizedTest
    @MethodSource("sharedCorpus")
    void sharedCorpusPassesTheSameChecks(Path torrent) throws IOException {
        check(Files.readAllBytes(torrent));
        // Loading from the file leaves no descriptor open, whatever the verdict.
        FuzzChecks.Resources before = FuzzChecks.Resources.now();
        try {
            Metainfo.load(torrent);
        } catch (InvalidTorrentException e) {
            // the verdict is check()'s business
        }
        FuzzChecks.Resources.now().assertNothingLeftSince(before, "Metainfo.load");
    }

    static void check(byte[] input) {
        Metainfo metainfo;
        try {
            metainfo = FuzzChecks.boundedAllocation(allocationLimit(input.length), "Metainfo.parse", () -> Metainfo.parse(input));
        } catch (InvalidTorrentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        InfoDict info = metainfo.info();
        BDict root = (BDict) Bencode.decodePrefix(input).root();
        assertThat(metainfo.infoBytes()).isEqualTo(root.get("info").orElseThrow().rawBytes());
        assertThat(metainfo.infoHash().bytes()).isEqualTo(MetainfoParser.sha1(metainfo.infoBytes()));

        // Files: contiguous from 0, adding up to the total; at most one per few input bytes.
        assertThat(info.files()).isNotEmpty().hasSizeLessThanOrEqualTo(input.length / 8);
        long offset = 0;
        for (FileEntry f : info.files()) {
            assertThat(f.offset()).isEqualTo(offset);
            offset += f.length();
            for (String element : f.path()) assertSafeElement(element);
        }
        assertThat(offset).isEqualTo(info.totalLength()).isPositive();
        assertThat(info.pieceLength()).isPositive();
        assertThat((long) info.pieceCount()).isEqualTo((info.totalLength() + info.pieceLength() - 1) / info.pieceLength());
        assertThat(info.pieceHashes()).hasSize(20 * info.pieceCount());
        assertSafeElement(info.name());
        assertDistinctOnDisk(info.files());

        assertThat(metainfo.magnetLink()).startsWith("magnet:?xt=urn:btih:" + metainfo.infoHash().hex());

        // Round trip: the info dictionary alone, in a new top-level dictionary, is the same torrent.
        byte[] wrapped = Bencode.encode(java.util.Map.of("info", root.get("info").orElseThrow()));
        Metainfo again;
        try {
            again = Metainfo.parse(wrapped);
        } catch (InvalidTorrentException e) {
            throw new AssertionError("the info dictionary alone no longer parses: " + e.getMessage(), e);
        }
        assertThat(again.infoHash()).isEqualTo(metainfo.infoHash());
        assertThat(again.info().name()).isEqualTo(info.name());
        assertThat(again.info().files()).isEqualTo(info.files());
        assertThat(again.info().pieceHashes()).isEqualTo(info.pieceHashes());
        assertThat(again.info().pieceLength()).isEqualTo(info.pieceLength());
        assertThat(again.info().isPrivate()).isEqualTo(info.isPrivate());
        assertThat(again.info().multiFile()).isEqualTo(info.multiFile());
    }

    /** A path element that stays inside the download folder and is a valid file name. */
    private static void assertSafeElement(String element) {
        assertThat(element).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotContain("/").doesNotContain("\\");
        assertThat(element.chars().noneMatch(c -> c < 32)).as("control character in %s", element).isTrue();
    }

    /** No two written files share a path (ignoring case), and no file is also a folder of another. */
    private static void assertDistinctOnDisk(List<FileEntry> files) {
        Set<String> paths = new HashSet<>();
        Set<String> folders = new HashSet<>();
        List<String> written = new ArrayList<>();
        for (FileEntry f : files) {
            if (f.isPadding()) continue;
            String key = String.join("/", f.path()).toLowerCase(Locale.ROOT);
            assertThat(paths.add(key)).as("two files at %s", key).isTrue();
            written.add(key);
            for (int i = 1; i < f.path().size(); i++) {
                folders.add(String.join("/", f.path().subList(0, i)).toLowerCase(Locale.ROOT));
            }
        }
        for (String key : written) assertThat(folders).as("file %s is also a folder", key).doesNotContain(key);
    }
}
