package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DownloadProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void lineShowsPercentRatesOverTheLastIntervalPeersAndEta() {
        var before = new DownloadProgress.Sample(1 << 20, 4 << 20, 0, 2, 3, 0);
        var now = new DownloadProgress.Sample(2 << 20, 4 << 20, 512 << 10, 2, 3, 2 * S);
        assertThat(DownloadProgress.line(before, now))
                .isEqualTo(" 50.0%  2.00 MiB of 4.00 MiB  down 512 KiB/s  up 256 KiB/s  peers 2 (3 known)  ETA 0:04");
    }

    @Test
    void stalledShowsNoEtaAndDoneShowsDone() {
        var a = new DownloadProgress.Sample(100, 1000, 0, 0, 1, 0);
        assertThat(DownloadProgress.line(a, new DownloadProgress.Sample(100, 1000, 0, 0, 1, S))).endsWith("ETA --:--");
        assertThat(DownloadProgress.line(a, new DownloadProgress.Sample(1000, 1000, 0, 0, 1, S))).endsWith("ETA done");
        assertThat(DownloadProgress.clock(3 * 3600 + 62)).isEqualTo("3:01:02");
        assertThat(DownloadProgress.clock(1_000_000)).isEqualTo(">99h");
    }

    @Test
    void plainModePrintsWholeLinesAtTheIntervalOnly() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DownloadProgress p = new DownloadProgress(new PrintStream(buffer, true), false, Duration.ofSeconds(5));
        for (long t = 0; t <= 12; t++) p.update(new DownloadProgress.Sample(t * 100, 10_000, 0, 1, 1, t * S));
        p.finish();
        assertThat(buffer.toString().lines()).hasSize(2).allMatch(l -> l.contains("%") && !l.contains("\r"));
    }

    @Test
    void liveModeRedrawsOneLineInPlace() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DownloadProgress p = new DownloadProgress(new PrintStream(buffer, true), true, Duration.ofSeconds(5));
        for (long t = 0; t <= 4; t++) p.update(new DownloadProgress.Sample(t * 100, 10_000, 0, 1, 1, t * S));
        p.finish();
        String out = buffer.toString();
        assertThat(out).doesNotContain("\n").startsWith("\r");
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(6); // four draws, and "\r   \r" to clear
    }
}
