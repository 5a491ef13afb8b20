package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;
import org.jtorrent.id.InfoHash;
import org.junit.jupiter.api.Test;

class DownloadProgressTest {
    private static final long S = 1_000_000_000L;
    private static final long MIB = 1 << 20;

    static TorrentStatus status(String name, TorrentState state, long have, long total, long down, long up, int peers,
                                int seeds, Optional<Duration> eta, String error) {
        return new TorrentStatus(InfoHash.of(new byte[20]), name, state, error, total, have, total == 0 ? 1 : have / (double) total,
                down, up, have, 0, peers, seeds, eta, 0, List.of(have), 0);
    }

    private static TorrentStatus downloading(String name, long have, long total) {
        return status(name, TorrentState.DOWNLOADING, have, total, 512 << 10, 256 << 10, 2, 1, Optional.of(Duration.ofSeconds(4)), "");
    }

    @Test
    void aLineShowsNameStatePercentRatesPeersAndEta() {
        assertThat(DownloadProgress.line(downloading("movie.mkv", 2 * MIB, 4 * MIB), 12))
                .isEqualTo("movie.mkv     downloading  50.0%  2.00 MiB of 4.00 MiB  down 512 KiB/s  up 256 KiB/s  peers 2 (1 seed)  ETA 0:04");
        TorrentStatus stalled = status("a", TorrentState.DOWNLOADING, 100, 1000, 0, 0, 0, 0, Optional.empty(), "");
        assertThat(DownloadProgress.line(stalled, 1)).endsWith("ETA --:--");
        TorrentStatus done = status("a", TorrentState.SEEDING, 1000, 1000, 0, 0, 0, 0, Optional.empty(), "");
        assertThat(DownloadProgress.line(done, 1)).contains("seeding", "100.0%").endsWith("ETA done");
        assertThat(DownloadProgress.clock(3 * 3600 + 62)).isEqualTo("3:01:02");
        assertThat(DownloadProgress.clock(1_000_000)).isEqualTo(">99h");
    }

    @Test
    void aMagnetLinkShowsFetchingMetadataAndItsPeersUntilItsSizeIsKnown() {
        TorrentStatus fetching = status("ubuntu.iso", TorrentState.FETCHING_METADATA, 0, 0, 2048, 0, 3, 1, Optional.empty(), "");
        assertThat(DownloadProgress.line(fetching, 10))
                .isEqualTo("ubuntu.iso  fetching metadata  down 2.00 KiB/s  peers 3 (1 seed)");
    }

    @Test
    void aFailedTorrentsLineSaysWhy() {
        TorrentStatus failed = status("b.bin", TorrentState.ERROR, 0, 1000, 0, 0, 0, 0, Optional.empty(), "No space left on device");
        assertThat(DownloadProgress.line(failed, 5)).isEqualTo("b.bin  error         0.0%  No space left on device");
    }

    @Test
    void namesFromTheTorrentCannotDriveTheTerminal() {
        String hostile = "evil\033[2J\rname\n" + "x".repeat(50);
        String line = DownloadProgress.line(downloading(hostile, 1, 2), DownloadProgress.NAME_WIDTH);
        assertThat(line).doesNotContain("\033", "\r", "\n").startsWith("evil?[2J?name?xxx");
        assertThat(DownloadProgress.shortName(hostile)).hasSize(DownloadProgress.NAME_WIDTH).endsWith("...");
    }

    @Test
    void severalTorrentsGetATotalLine() {
        List<DownloadProgress.Row> rows = List.of(new DownloadProgress.Row(downloading("one", MIB, 4 * MIB), false),
                new DownloadProgress.Row(status("two", TorrentState.SEEDING, 4 * MIB, 4 * MIB, 0, 0, 1, 0, Optional.empty(), ""), true),
                new DownloadProgress.Row(status("three", TorrentState.ERROR, 0, 8 * MIB, 0, 0, 0, 0, Optional.empty(), "gone"), true));
        List<String> all = DownloadProgress.lines(rows, true);
        assertThat(all).hasSize(4);
        assertThat(all.get(3)).startsWith("total  1/3 done, 1 failed  31.3%  5.00 MiB of 16.0 MiB  down 512 KiB/s  up 256 KiB/s  peers 3");
        // A log shows only what is still under way, and the total.
        assertThat(DownloadProgress.lines(rows, false)).hasSize(2).first().asString().startsWith("one ");
        assertThat(DownloadProgress.lines(rows.subList(0, 1), true)).hasSize(1); // one torrent: no total
    }

    @Test
    void aTerminalShowsAtMostTwentyTorrentsThoseUnderWayFirst() {
        List<DownloadProgress.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            boolean done = i < 5; // the first five are done: they give way to those under way
            rows.add(new DownloadProgress.Row(done ? status("t" + i, TorrentState.SEEDING, 10, 10, 0, 0, 0, 0, Optional.empty(), "")
                    : downloading("t" + i, 1, 10), done));
        }
        List<String> lines = DownloadProgress.lines(rows, true);
        assertThat(lines).hasSize(DownloadProgress.LIVE_ROWS + 2);
        assertThat(lines.get(0)).startsWith("t5 ");
        assertThat(lines.subList(0, 20)).allMatch(l -> l.contains("downloading"));
        assertThat(lines.get(20)).isEqualTo("... and 5 more");
        assertThat(lines.get(21)).startsWith("total  5/25 done");
        assertThat(DownloadProgress.lines(rows.subList(0, 20), true).get(0)).startsWith("t0 "); // all fit: in order
    }

    @Test
    void plainModePrintsWholeLinesAtTheIntervalOnly() {
        StringWriter buffer = new StringWriter();
        DownloadProgress p = new DownloadProgress(new PrintWriter(buffer), false, Duration.ofSeconds(5));
        for (long t = 0; t <= 12; t++) p.update(List.of(new DownloadProgress.Row(downloading("f", t * 100, 10_000), false)), t * S);
        p.note("f: complete");
        p.finish();
        assertThat(buffer.toString().lines()).hasSize(3).allMatch(l -> !l.contains("\r") && !l.contains("\033"));
        assertThat(buffer.toString().lines().toList().get(2)).isEqualTo("f: complete");
    }

    @Test
    void liveModeRedrawsEveryLineInPlace() {
        StringWriter buffer = new StringWriter();
        DownloadProgress p = new DownloadProgress(new PrintWriter(buffer), true, Duration.ofSeconds(5));
        List<DownloadProgress.Row> rows = List.of(new DownloadProgress.Row(downloading("a", 1, 10), false),
                new DownloadProgress.Row(downloading("b", 2, 10), false));
        for (long t = 0; t <= 4; t++) p.update(rows, t * S); // one draw a second: the first, then four redraws
        String out = buffer.toString();
        assertThat(out.split("\033\\[3F", -1)).hasSize(5); // each redraw goes up over the three lines (two and a total)
        assertThat(out.lines().filter(l -> l.contains("total")).count()).isEqualTo(5);
        buffer.getBuffer().setLength(0);
        p.note("a: complete");
        assertThat(buffer.toString()).isEqualTo("\033[3F\033[Ja: complete" + System.lineSeparator());
        buffer.getBuffer().setLength(0);
        p.update(rows, 4 * S + 1); // drawn afresh under the note, at once
        assertThat(buffer.toString()).doesNotContain("\033[3F").contains("total");
        buffer.getBuffer().setLength(0);
        p.finish();
        assertThat(buffer.toString()).isEqualTo("\033[3F\033[J");
    }
}
