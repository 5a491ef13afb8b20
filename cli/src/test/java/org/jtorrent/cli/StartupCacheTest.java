package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's start-up cache: trained once per jar (by running {@code demo}), used by every
 * command after that, trained again for a new jar, and never in the way when training fails. The
 * launcher runs from a copy of the repository's layout around a small jar of our own, whose
 * {@code demo} takes a moment, so the test needs no build and no network.
 */
class StartupCacheTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String OPENED = "Opened AOT cache";
    private static final String TRAINING = "jtorrent: training the start-up cache";

    @TempDir
    Path root;

    private Path jar;
    private int jdkMajor;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void layout() throws Exception {
        Files.createDirectories(root.resolve("scripts"));
        copyExecutable(REPO.resolve("jtorrent"), root.resolve("jtorrent"));
        copyExecutable(REPO.resolve("scripts/find-jdk"), root.resolve("scripts/find-jdk"));
        jar = root.resolve("cli/target/jtorrent.jar");
        Files.createDirectories(jar.getParent());
        writeFixtureJar(Files.createDirectories(root.resolve("fixture-src")), jar);
        Path jdk = Path.of(run(List.of(root.resolve("scripts/find-jdk").toString()), Map.of()).out().strip());
        Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(jdk.resolve("release")));
        assertThat(m.find()).isTrue();
        jdkMajor = Integer.parseInt(m.group(1));
    }

    @Test
    void trainsOnceThenEveryCommandUsesTheCache() throws Exception {
        Run first = launch(Map.of());
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("ran info x");
        if (jdkMajor < 25) { // no AOT cache before JDK 25: nothing is trained, nothing changes
            assertThat(first.err()).doesNotContain(TRAINING);
            assertThat(caches()).isEmpty();
            return;
        }
        assertThat(first.err()).contains(TRAINING);
        assertThat(caches()).hasSize(1);
        assertThat(first.out()).contains(OPENED);

        Run second = launch(Map.of());
        assertThat(second.code()).isZero();
        assertThat(second.err()).doesNotContain(TRAINING);
        assertThat(second.out()).contains(OPENED).contains("ran info x");
    }

    @Test
    void aNewerJarIsTrainedAgain() throws Exception {
        if (jdkMajor < 25) return; // covered by the test above
        launch(Map.of());
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        Run rebuilt = launch(Map.of());
        assertThat(rebuilt.err()).contains(TRAINING);
        assertThat(rebuilt.out()).contains(OPENED).contains("ran info x");
        // The jar's time is ahead of the clock (as after clock skew): trained once, not on every run.
        assertThat(launch(Map.of()).err()).doesNotContain(TRAINING);
    }

    @Test
    void aFailedTrainingSaysSoOnceAndTheCommandStillRuns() throws Exception {
        Map<String, String> failing = Map.of("FIXTURE_DEMO_FAILS", "1");
        Run first = launch(failing);
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("ran info x").doesNotContain(OPENED);
        if (jdkMajor >= 25) {
            assertThat(first.err().lines().filter(l -> l.contains("training failed")))
                    .singleElement().asString().contains("running without it");
        }
        Run second = launch(failing);
        assertThat(second.code()).isZero();
        assertThat(second.err()).doesNotContain(TRAINING).doesNotContain("training failed");
        assertThat(second.out()).contains("ran info x").doesNotContain(OPENED);
    }

    @Test
    void canBeTurnedOff() throws Exception {
        Run off = launch(Map.of("JTORRENT_STARTUP_CACHE", "0"));
        assertThat(off.code()).isZero();
        assertThat(off.err()).doesNotContain(TRAINING);
        assertThat(off.out()).contains("ran info x").doesNotContain(OPENED);
        assertThat(caches()).isEmpty();
    }

    private Run launch(Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("JTORRENT_JAVA_OPTS", "-Xlog:aot=info"); // after the launcher's -Xlog:aot=off: says whether the cache opened
        return run(List.of(root.resolve("jtorrent").toString(), "info", "x"), all);
    }

    private List<Path> caches() throws IOException {
        try (Stream<Path> files = Files.list(jar.getParent())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JTORRENT_STARTUP_CACHE");
        pb.environment().remove("JTORRENT_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path err = Files.createTempFile("launcher", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String errText = Files.readString(err);
        Files.delete(err);
        return new Run(code, out, errText);
    }

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A stand-in for the real jar: its demo (the training run) does a little work, or fails on request. */
    private static void writeFixtureJar(Path src, Path jar) throws IOException {
        Files.writeString(src.resolve("Fixture.java"), """
                public class Fixture {
                    public static void main(String[] args) {
                        if (args.length > 0 && args[0].equals("demo")) {
                            if (System.getenv("FIXTURE_DEMO_FAILS") != null) System.exit(3);
                            java.util.Map<String, Integer> m = new java.util.TreeMap<>();
                            for (int i = 0; i < 10_000; i++) m.merge("k" + (i % 97), i, Integer::sum);
                            System.out.println("demo " + m.size());
                            return;
                        }
                        System.out.println("ran " + String.join(" ", args));
                    }
                }
                """);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "--release", "21", "-d", src.toString(), src.resolve("Fixture.java").toString());
        assertThat(rc).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Fixture");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("Fixture.class"));
            out.write(Files.readAllBytes(src.resolve("Fixture.class")));
            out.closeEntry();
        }
    }
}
