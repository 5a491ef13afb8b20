package org.jtorrent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.id.InfoHash;
import org.junit.jupiter.api.Test;

class TorrentSettingsTest {
    static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");

    /** Every field away from its default. */
    static TorrentSettings full() {
        return new TorrentSettings(HASH, "Ubuntu ISO", List.of(List.of("http://a/announce", "udp://b:80"), List.of("http://c")),
                Path.of("/data/downloads"), new int[]{0, 1, 7, 3}, true, true, 100_000, 2_000_000, 1.5, 86_400, 4,
                1_700_000_000L, 123_456_789_012L, 98_765_432_109L);
    }

    @Test
    void roundTrip() throws Exception {
        TorrentSettings s = full();
        assertThat(TorrentSettings.decode(s.encode())).isEqualTo(s);
        TorrentSettings defaults = TorrentSettings.of(HASH, "", List.of(), Path.of("/x"));
        assertThat(TorrentSettings.decode(defaults.encode())).isEqualTo(defaults);
    }

    @Test
    void theRecordIsImmutable() {
        int[] priorities = {1, 2};
        TorrentSettings s = TorrentSettings.of(HASH, "n", List.of(), Path.of("/x")).withFilePriorities(priorities);
        priorities[0] = 0;
        s.filePriorities()[1] = 0;
        assertThat(s.filePriorities()).containsExactly(1, 2);
        assertThat(s.filePriority(1)).isEqualTo(2);
        assertThat(s.filePriority(5)).isEqualTo(TorrentSettings.DEFAULT_PRIORITY);
    }

    @Test
    void missingKeysTakeDefaultsAndUnknownKeysAreIgnored() throws Exception {
        Map<String, Object> d = new TreeMap<>();
        d.put("info-hash", HASH.bytes());
        d.put("save-path", "/srv/t");
        d.put("from-a-later-version", Map.of("x", List.of(1, 2)));
        TorrentSettings s = TorrentSettings.decode(Bencode.encode(d));
        assertThat(s.infoHash()).isEqualTo(HASH);
        assertThat(s.savePath()).isEqualTo(Path.of("/srv/t"));
        assertThat(s.paused()).isFalse();
        assertThat(s.filePriorities()).isEmpty();
        assertThat(s.trackers()).isEmpty();
        assertThat(s.seedRatio()).isZero();
        assertThat(s.totalDownloaded()).isZero();
    }

    @Test
    void badRecordsAreOneLineErrorsNamingTheKey() {
        assertBad(with("paused", "yes"), "paused is a string, not an integer");
        assertBad(with("paused", 2), "paused is 2, not in 0..1");
        assertBad(with("upload-limit", -1), "upload-limit is -1");
        assertBad(with("file-priorities", List.of(1, 8)), "file-priorities[1] is 8");
        assertBad(with("file-priorities", List.of(1, "x")), "file-priorities[1] is a string");
        assertBad(with("file-priorities", 3), "file-priorities is an integer, not a list");
        assertBad(with("trackers", List.of("http://a")), "trackers is a string");
        assertBad(with("queue-position", 1L << 40), "queue-position is");
        assertBad(with("save-path", "relative/dir"), "save-path is not absolute");
        assertBad(with("save-path", "/a\0b"), "save-path is not a path");
        assertBad(with("info-hash", new byte[19]), "info-hash is 19 bytes");
        assertBad(with("format", 2), "format 2 is newer");
        assertBad(without("info-hash"), "no info-hash");
        assertBad(without("save-path"), "no save-path");
        assertBad("i3e".getBytes(StandardCharsets.US_ASCII), "not a dictionary but");
        byte[] good = full().encode();
        assertBad(Arrays.copyOf(good, good.length - 3), "not bencode"); // truncated by a crash
        assertBad(new byte[0], "not bencode");
    }

    private static void assertBad(byte[] record, String message) {
        assertThatThrownBy(() -> TorrentSettings.decode(record))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining(message)
                .message().doesNotContain("\n");
    }

    private static byte[] with(String key, Object value) {
        Map<String, Object> d = minimal();
        d.put(key, value);
        return Bencode.encode(d);
    }

    private static byte[] without(String key) {
        Map<String, Object> d = minimal();
        d.remove(key);
        return Bencode.encode(d);
    }

    private static Map<String, Object> minimal() {
        Map<String, Object> d = new TreeMap<>();
        d.put("info-hash", HASH.bytes());
        d.put("save-path", "/srv/t");
        return d;
    }
}
