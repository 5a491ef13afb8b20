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
        assertThat(TorrentSources.load(List.of(a, b), false)).extracting(TorrentSources.Source::given)
                .containsExactly(a.toString(), b.toString());
        assertThatThrownBy(() -> TorrentSources.load(List.of(a, b), true)).isInstanceOf(OneLineErrors.Failures.class)
                .hasMessage(b + ": writes f.bin, as " + a + " does");
    }

    @Test
    void magnetLinksAreSourcesBesideFilesAndTheSameTorrentTwiceIsCaught() throws Exception {
        TestTorrent t = TestTorrent.single("f.bin", 100_000, 16 * 1024);
        Path file = t.writeTorrent(dir.resolve("f.torrent"));
        String magnet = t.metainfo().magnetLink();
        List<TorrentSources.Source> one = TorrentSources.load(List.of(magnet), true, true);
        assertThat(one.get(0).isMagnet()).isTrue();
        assertThat(one.get(0).infoHash()).isEqualTo(t.metainfo().infoHash());
        assertThat(one.get(0).name()).isEqualTo("f.bin");
        String hash = t.metainfo().infoHash().hex();
        assertThatThrownBy(() -> TorrentSources.load(List.of(file.toString(), magnet), true, true))
                .hasMessage("magnet " + hash + ": the same torrent as " + file + " (" + hash + ")");
    }

    @Test
    void aMalformedMagnetLinkOrOneGivenToSeedIsOneLine() {
        assertThatThrownBy(() -> TorrentSources.load(List.of("magnet:?xt=urn:btih:123"), true, true))
                .isInstanceOf(OneLineErrors.Failures.class)
                .hasMessage("bad magnet link: info-hash '123' is 3 characters: expected 40 hex digits or 32 base32 characters");
        assertThatThrownBy(() -> TorrentSources.load(List.of(Path.of("magnet:?xt=urn:btih:" + "a".repeat(40) + "&dn=x")), false))
                .hasMessageStartingWith("magnet:?xt=urn:btih:" + "a".repeat(37) + "...: a magnet link has no data to check");
    }
}
