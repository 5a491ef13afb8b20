package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/find-jdk, which the launcher runs on every command: the newest JDK >= 21, or one clear line. */
class FindJdkTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "find-jdk").toAbsolutePath().normalize();

    @TempDir
    Path jvms;

    private void fakeJdk(String name, String version, boolean javac) throws IOException {
        Path bin = Files.createDirectories(jvms.resolve(name).resolve("bin"));
        if (javac) {
            Files.writeString(bin.resolve("javac"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(bin.resolve("javac"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(jvms.resolve(name).resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
    }

    private record Result(int code, String out, String err) {
    }

    private Result run() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString());
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("JTORRENT_JVM_DIR", jvms.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out, err);
    }

    @Test
    void picksTheNewestJdkAtLeast21() throws Exception {
        fakeJdk("java-17", "17.0.15", true);
        fakeJdk("temurin-21", "21.0.4", true);
        fakeJdk("temurin-25", "25.0.3", true);
        fakeJdk("jre-26", "26", false); // no javac: a runtime only, not a JDK
        Result r = run();
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(jvms.resolve("temurin-25").toString());
    }

    @Test
    void noSuitableJdkIsOneLineSayingWhatToInstall() throws Exception {
        fakeJdk("java-17", "17.0.15", true);
        Result r = run();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("jtorrent needs a JDK 21 or newer").contains("install").doesNotContain("\n");
    }
}
