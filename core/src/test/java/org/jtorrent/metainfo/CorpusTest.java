package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the shared corpus gets libtorrent 2.0.8's verdict, and where libtorrent loads it,
 * the same info-hash, name, size, file count and piece count. The one expected exception: v2-only
 * torrents, which libtorrent loads, get our clean "not supported yet" error.
 */
class CorpusTest {

    record Row(String path, String verdict, String infoHashV1, String name, String totalBytes, String files,
               String pieceLength, String pieces, String isPrivate) {
        boolean loads() {
            return verdict.equals("ok");
        }

        @Override
        public String toString() {
            return path;
        }
    }

    static List<Row> rows() throws IOException {
        Path manifest = RealPeers.corpus().resolve("manifest.tsv");
        List<String> lines = Files.readAllLines(manifest);
        String[] header = lines.getFirst().split("\t", -1);
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.length; i++) column.put(header[i], i);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            java.util.function.Function<String, String> get = name -> unescape(f[column.get(name)]);
            rows.add(new Row(get.apply("path"), get.apply("libtorrent_load"), get.apply("infohash_v1"),
                    get.apply("name"), get.apply("total_bytes"), get.apply("files"), get.apply("piece_length"),
                    get.apply("pieces"), get.apply("private")));
        }
        return rows;
    }

    /** The manifest escapes tab, newline, CR and backslash inside fields. */
    private static String unescape(String field) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char n = field.charAt(++i);
                sb.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void corpusIsPresentAndComplete() throws IOException {
        assertThat(rows()).hasSize(180);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void sameVerdictAsLibtorrent(Row row) throws IOException, InvalidTorrentException {
        Path file = RealPeers.corpus().resolve(row.path());
        boolean v2Only = row.loads() && row.infoHashV1().isEmpty();
        if (v2Only) {
            assertThatThrownBy(() -> Metainfo.load(file))
                    .isInstanceOf(InvalidTorrentException.class)
                    .hasMessageContaining("not supported yet");
            return;
        }
        if (!row.loads()) {
            assertThatThrownBy(() -> Metainfo.load(file))
                    .as("libtorrent says: %s", row.verdict())
                    .isInstanceOf(InvalidTorrentException.class);
            return;
        }
        Metainfo m;
        try {
            m = Metainfo.load(file);
        } catch (InvalidTorrentException e) {
            throw new AssertionError("libtorrent loads it, we said: " + e.getMessage());
        }
        assertThat(m.infoHash().hex()).as("info-hash").isEqualTo(row.infoHashV1());
        assertThat(m.info().name()).as("name").isEqualTo(row.name());
        assertThat(m.info().totalLength()).as("total size").isEqualTo(Long.parseLong(row.totalBytes()));
        assertThat(m.info().files()).as("file count").hasSize(Integer.parseInt(row.files()));
        assertThat(m.info().pieceLength()).as("piece length").isEqualTo(Integer.parseInt(row.pieceLength()));
        assertThat(m.info().pieceCount()).as("piece count").isEqualTo(Integer.parseInt(row.pieces()));
        assertThat(m.info().isPrivate()).as("private").isEqualTo(row.isPrivate().equals("1"));
        // What the state directory keeps of it reads back as the same torrent.
        Metainfo again = Metainfo.parse(m.toTorrentFile());
        assertThat(again.infoHash()).isEqualTo(m.infoHash());
        assertThat(again.infoBytes()).isEqualTo(m.infoBytes());
        assertThat(again.trackers()).isEqualTo(m.trackers().stream().filter(tier -> !tier.isEmpty()).toList());
        assertThat(again.webSeeds()).isEqualTo(m.webSeeds());
        assertThat(again.comment()).isEqualTo(m.comment());
        assertThat(again.creationDate()).isEqualTo(m.creationDate());
    }
}
