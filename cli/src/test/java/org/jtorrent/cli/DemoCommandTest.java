package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void aSmallSwarmCompletesVerifiedAndLeavesNothingBehind() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = demoFolders(tmp);
        CliTest.Result r = CliTest.run("demo", "--size", "4", "--leechers", "3", "--timeout", "60");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("all 3 leechers complete", "every file checked byte for byte",
                "who uploaded what to whom");
        // Each leecher's row and the seeder's are in the table; the seeder uploaded something.
        assertThat(r.out().lines().filter(l -> l.startsWith("leecher-")).count()).isEqualTo(3);
        assertThat(r.out().lines().filter(l -> l.startsWith("seeder ")).findFirst().orElseThrow()).doesNotEndWith(" 0 B");
        assertThat(demoFolders(tmp)).isEqualTo(before);
    }

    @Test
    void refusesSillySizes() {
        CliTest.Result r = CliTest.run("demo", "--leechers", "0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jtorrent demo: --leechers must be 1..32" + System.lineSeparator());
    }

    private static long demoFolders(Path tmp) throws Exception {
        try (Stream<Path> list = Files.list(tmp)) {
            return list.filter(p -> p.getFileName().toString().startsWith("jtorrent-demo-")).count();
        }
    }
}
