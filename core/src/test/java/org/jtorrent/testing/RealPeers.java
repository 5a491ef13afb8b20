package org.jtorrent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the third-party programs that interop tests run against (aria2c, transmission, libtorrent,
 * opentracker, ...). A missing program never passes silently: under {@code CI=true} the test fails,
 * elsewhere it is reported as skipped with the package to install.
 */
public final class RealPeers {
    private RealPeers() {
    }

    /** The repository root (set by surefire), where {@code ../shared} is found. */
    public static Path repoRoot() {
        String root = System.getProperty("jtorrent.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    }

    public static Path shared() {
        return repoRoot().resolve("../shared").normalize();
    }

    public static Path corpus() {
        return shared().resolve("corpus");
    }

    public static Path harness() {
        return shared().resolve("harness");
    }

    /** The program on PATH, or a failure/skip naming the Debian package that provides it. */
    public static Path require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) return candidate;
        }
        missing(program + " not found (apt-get install -y " + debianPackage + ")");
        return null; // unreachable: missing() throws
    }

    /** A python3 that can {@code import libtorrent}: Debian's, not the pyenv one first on PATH. */
    public static Path pythonWithLibtorrent() {
        String override = System.getenv("LT_PYTHON");
        List<String> candidates = override != null ? List.of(override) : List.of("/usr/bin/python3", "python3");
        for (String python : candidates) {
            if (succeeds(python, "-c", "import libtorrent")) return Path.of(python);
        }
        missing("no python3 can import libtorrent (apt-get install -y python3-libtorrent)");
        return null;
    }

    private static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void missing(String why) {
        if ("true".equals(System.getenv("CI"))) Assertions.fail("interop peer missing under CI=true: " + why);
        Assumptions.abort("skipped, interop peer missing: " + why);
    }
}
