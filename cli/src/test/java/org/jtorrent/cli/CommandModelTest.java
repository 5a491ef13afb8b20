package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line is built in code, not read from annotations: reading picocli's annotations makes
 * the JDK generate a proxy class per annotation type, which the start-up cache cannot hold (~100 ms
 * on every command, docs/performance.md). A fresh JVM parses a command with options of every kind
 * and must not define a single proxy class.
 */
class CommandModelTest {
    @TempDir
    Path dir;

    @Test
    void aCommandLineDefinesNoProxyClasses() throws Exception {
        Path payload = Files.write(dir.resolve("f.bin"), new byte[70_000]);
        Path classLog = dir.resolve("classes.log");
        Process p = new ProcessBuilder(List.of(JavaProcess.java(), "-Xlog:class+load=info:file=" + classLog,
                "-cp", JavaProcess.classPath(), "org.jtorrent.cli.Main",
                "create", payload.toString(), "-o", dir.resolve("f.torrent").toString(), "-t", "http://127.0.0.1:1/a",
                "--web-seed", "http://127.0.0.1:2/", "--piece-length", "16K", "--private", "--no-date", "--comment", "c"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("created ", "5 pieces of 16.0 KiB");

        List<String> loaded = Files.readAllLines(classLog);
        assertThat(loaded).anyMatch(line -> line.contains("org.jtorrent.cli.CreateCommand "));
        assertThat(loaded).noneMatch(line -> line.contains("$Proxy"));
    }
}
