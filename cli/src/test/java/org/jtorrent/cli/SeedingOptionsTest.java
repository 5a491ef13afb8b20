package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.jtorrent.engine.TransferLimits;
import org.jtorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class SeedingOptionsTest {

    @TempDir
    Path dir;

    @Test
    void durationsAndSizesParseAsUsersWriteThem() {
        assertThat(DownloadCommand.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DownloadCommand.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DownloadCommand.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DownloadCommand.parseDuration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> DownloadCommand.parseDuration("soon")).hasMessageContaining("not a duration: soon");
        assertThat(Sizes.parse("8M")).isEqualTo(8L << 20);
        assertThat(Sizes.parse("256K")).isEqualTo(256L << 10);
        assertThat(Sizes.parse("16384")).isEqualTo(16384);
        assertThatThrownBy(() -> Sizes.parse("-1")).hasMessageContaining("not a size");
    }

    @Test
    void transferOptionsBecomeChokerSlotsAndBuckets() {
        CommandSpec spec = CommandSpec.create();
        TransferOptions options = new TransferOptions(spec);
        new CommandLine(spec).parseArgs("--upload-slots", "7", "--max-upload-rate", "1M");
        TransferLimits limits = options.limits(1);
        assertThat(limits.choker().slots()).isEqualTo(7);
        assertThat(limits.upload().buckets()).singleElement().satisfies(b -> assertThat(b.bytesPerSecond()).isEqualTo(1L << 20));
        assertThat(limits.download().buckets()).isEmpty();
    }

    @Test
    void seedTimeKeepsACompleteDownloadServingThatLong() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        byte[] content = new byte[100_000];
        new Random(2).nextBytes(content);
        Files.write(data.resolve("f.bin"), content);
        Path torrent = dir.resolve("f.torrent");
        Files.write(torrent, new TorrentCreator(data.resolve("f.bin")).create());
        long start = System.nanoTime();
        CliTest.Result r = CliTest.run("download", torrent.toString(), "-o", data.toString(), "--seed-time", "2s", "--json",
                "--state", dir.resolve("state").toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(seconds).isGreaterThanOrEqualTo(2.0);
        assertThat(r.out()).contains("\"complete\":true");
    }

    @Test
    void badSeedingOptionsAreOneLineErrors() {
        CliTest.Result r = CliTest.run("download", "x.torrent", "--seed-time", "whenever");
        assertThat(r.code()).isEqualTo(1);
        CliTest.Result slots = CliTest.run("seed", "x.torrent", "--data", ".", "--upload-slots", "0");
        assertThat(slots.code()).isEqualTo(1);
    }
}
