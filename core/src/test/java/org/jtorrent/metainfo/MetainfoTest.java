package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jtorrent.bencode.Bencode;
import org.junit.jupiter.api.Test;

class MetainfoTest {

    private static final byte[] ONE_HASH = new byte[20];

    private static Map<String, Object> info(Object... extra) {
        java.util.Map<String, Object> m = new java.util.HashMap<>(Map.of("name", "x", "piece length", 16384L,
                "pieces", ONE_HASH, "length", 5L));
        for (int i = 0; i < extra.length; i += 2) m.put((String) extra[i], extra[i + 1]);
        return m;
    }

    @Test
    void infoHashIsTakenOverTheOriginalBytesNotAReEncoding() throws Exception {
        // Keys out of order: a re-encoding would sort them and change the hash.
        String infoText = "d6:lengthi5e4:name1:x6:pieces20:" + "\0".repeat(20) + "12:piece lengthi16384ee";
        byte[] torrent = ("d4:info" + infoText + "e").getBytes(StandardCharsets.ISO_8859_1);
        Metainfo m = Metainfo.parse(torrent);
        byte[] expected = MetainfoParser.sha1(infoText.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m.infoHash().bytes()).isEqualTo(expected);
        assertThat(m.infoBytes()).isEqualTo(infoText.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void trailingBytesAfterTheTorrentAreTolerated() throws Exception {
        byte[] torrent = Bencode.encode(Map.of("info", info()));
        byte[] withNewline = java.util.Arrays.copyOf(torrent, torrent.length + 1);
        withNewline[torrent.length] = '\n';
        assertThat(Metainfo.parse(withNewline).infoHash()).isEqualTo(Metainfo.parse(torrent).infoHash());
    }

    @Test
    void announceListTiersWinOverAnnounceAndEmptyEntriesAreDropped() throws Exception {
        byte[] torrent = Bencode.encode(Map.of("info", info(), "announce", "http://a/",
                "announce-list", List.of(List.of(" http://b/", ""), List.of(), "junk", List.of("udp://c:1"))));
        assertThat(Metainfo.parse(torrent).trackers()).containsExactly(List.of("http://b/"), List.of("udp://c:1"));
        byte[] onlyAnnounce = Bencode.encode(Map.of("info", info(), "announce", "http://a/"));
        assertThat(Metainfo.parse(onlyAnnounce).trackers()).containsExactly(List.of("http://a/"));
    }

    @Test
    void urlListAsStringOrListIsDeduplicated() throws Exception {
        assertThat(Metainfo.parse(Bencode.encode(Map.of("info", info(), "url-list", "http://w/"))).webSeeds())
                .containsExactly("http://w/");
        assertThat(Metainfo.parse(Bencode.encode(Map.of("info", info(), "url-list",
                List.of("http://w/", "http://w/", "", 5L)))).webSeeds()).containsExactly("http://w/");
    }

    @Test
    void paddingFilesAreRecognisedAndExcludedFromPayload() throws Exception {
        byte[] torrent = Bencode.encode(Map.of("info", Map.of("name", "d", "piece length", 16384L,
                "pieces", new byte[40], "files", List.of(
                        Map.of("length", 100L, "path", List.of("a")),
                        Map.of("length", 16284L, "path", List.of(".pad", "16284"), "attr", "p"),
                        Map.of("length", 10L, "path", List.of("b"), "attr", "x")))));
        InfoDict info = Metainfo.parse(torrent).info();
        assertThat(info.files()).extracting(FileEntry::isPadding).containsExactly(false, true, false);
        assertThat(info.files().get(2).attributes().executable()).isTrue();
        assertThat(info.payloadLength()).isEqualTo(110);
        assertThat(info.totalLength()).isEqualTo(16394);
    }

    @Test
    void duplicatePathsAreRenamedSoTwoEntriesNeverShareAFile() throws Exception {
        byte[] torrent = Bencode.encode(Map.of("info", Map.of("name", "d", "piece length", 16384L,
                "pieces", new byte[20], "files", List.of(
                        Map.of("length", 1L, "path", List.of("a.txt")),
                        Map.of("length", 1L, "path", List.of("A.TXT")),
                        Map.of("length", 1L, "path", List.of("sub")),
                        Map.of("length", 1L, "path", List.of("sub", "x"))))));
        assertThat(Metainfo.parse(torrent).info().files()).extracting(FileEntry::displayPath)
                .containsExactly("d/a.txt", "d/A.1.TXT", "d/sub.1", "d/sub/x");
    }

    @Test
    void unsafePathsStayInsideTheDownloadFolder() throws Exception {
        byte[] torrent = Bencode.encode(Map.of("info", Map.of("name", "..", "piece length", 16384L,
                "pieces", new byte[20], "files", List.of(
                        Map.of("length", 1L, "path", List.of("..", "..", "etc", "passwd")),
                        Map.of("length", 1L, "path", List.of("/abs"))))));
        Metainfo m = Metainfo.parse(torrent);
        assertThat(m.info().name()).isEqualTo(m.infoHash().hex());
        assertThat(m.info().files()).extracting(FileEntry::displayPath)
                .containsExactly(m.infoHash().hex() + "/etc/passwd", m.infoHash().hex() + "/abs");
        java.nio.file.Path folder = java.nio.file.Path.of("/downloads");
        m.info().files().forEach(f -> assertThat(f.resolveIn(folder).normalize().startsWith(folder)).isTrue());
    }

    @Test
    void v2OnlyTorrentsGetAClearNotSupportedError() {
        byte[] torrent = Bencode.encode(Map.of("info", Map.of("name", "v2", "piece length", 16384L,
                "meta version", 2L, "file tree", Map.of("f", Map.of("", Map.of("length", 1L,
                        "pieces root", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                        21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}))))));
        assertThatThrownBy(() -> Metainfo.parse(torrent)).isInstanceOf(InvalidTorrentException.class)
                .hasMessageContaining("v2-only torrents (BEP 52) are not supported yet");
    }

    @Test
    void magnetLinkCarriesHashNameAndTrackers() throws Exception {
        Metainfo m = Metainfo.parse(Bencode.encode(Map.of("info", info("name", "a b"), "announce", "http://t/a?x=1")));
        assertThat(m.magnetLink()).isEqualTo("magnet:?xt=urn:btih:" + m.infoHash().hex()
                + "&dn=a%20b&tr=http%3A%2F%2Ft%2Fa%3Fx%3D1");
    }
}
