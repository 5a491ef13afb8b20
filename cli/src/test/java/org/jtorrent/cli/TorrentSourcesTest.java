package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorrentSourcesTest {
    @TempDir
    Path dir;

    @Test
    void sameNameIsAClashForDownloadsButNotForSeeds() throws Exception {
        // The same file made into two torrents (other piece sizes): seeding both from one folder is fine.
        TestTorrent small = TestTorrent.single("f.bin", 100_000, 16 * 1024);
        TestTorrent large = TestTorrent.single("f.bin", 100_000, 32 * 1024);
        Path a = small.writeTorrent(dir.resolve("a.torrent"));
        Path b = large.writeTorrent(dir.resolve("b.torrent"));
        assertThat(TorrentSources.load(List.of(a, b), false)).extracting(TorrentSources.Source::file).containsExactly(a, b);
        assertThatThrownBy(() -> TorrentSources.load(List.of(a, b), true)).isInstanceOf(OneLineErrors.Failures.class)
                .hasMessage(b + ": writes f.bin, as " + a + " does");
    }
}
