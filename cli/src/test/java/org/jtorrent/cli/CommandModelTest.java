package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line is built in code, not read from annotations: reading picocli's annotations makes
 * the JDK generate a proxy class per annotation type, which the start-up cache cannot hold (~100 ms
 * on every command, docs/performance.md). Fresh JVMs run commands that build, parse and print the
 * model, and none may define a single proxy class.
 */
class CommandModelTest {
    @TempDir
    Path dir;

    @Test
    void parsingOptionsOfEveryKindDefinesNoProxyClass() throws Exception {
        Path payload = Files.write(dir.resolve("f.bin"), new byte[70_000]);
        List<String> loaded = classesLoadedBy("create", payload.toString(), "-o", dir.resolve("f.torrent").toString(),
                "-t", "http://127.0.0.1:1/a", "--web-seed", "http://127.0.0.1:2/", "--piece-length", "16K", "--private",
                "--no-date", "--comment", "c");
        assertThat(loaded).anyMatch(line -> line.contains("org.jtorrent.cli.CreateCommand "));
        assertThat(loaded).noneMatch(line -> line.contains("$Proxy"));
    }

    @Test
    void helpAndVersionDefineNoProxyClass() throws Exception {
        assertThat(classesLoadedBy("help", "download")).noneMatch(line -> line.contains("$Proxy"));
        assertThat(classesLoadedBy("--version")).noneMatch(line -> line.contains("$Proxy"));
    }

    /** The class-loading log of {@code jtorrent ARGS} in a JVM of its own, which must exit 0. */
    private List<String> classesLoadedBy(String... args) throws Exception {
        Path classLog = Files.createTempFile(dir, "classes", ".log");
        List<String> command = new ArrayList<>(List.of(JavaProcess.java(), "-Xlog:class+load=info:file=" + classLog,
                "-cp", JavaProcess.classPath(), "org.jtorrent.cli.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Files.readAllLines(classLog);
    }
}
