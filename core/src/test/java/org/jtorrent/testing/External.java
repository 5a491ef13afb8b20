package org.jtorrent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real client (or a jtorrent child process) in its own process, its output in a log file; stopped by its PID only (SIGTERM, then SIGKILL). */
public record External(Process process, Path logFile) {
    public static External start(Path log, String... command) throws IOException {
        return start(log, List.of(command));
    }

    public static External start(Path log, List<String> command) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new External(p, log);
    }

    /** The exit code, or -1 if it is still running after {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return -1;
        return process.exitValue();
    }

    /** The end of its output, for a failure message. */
    public String log() {
        try {
            String text = Files.readString(logFile);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
