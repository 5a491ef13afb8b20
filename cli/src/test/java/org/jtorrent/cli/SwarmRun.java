package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the harness's swarm.py for the interop tests and checks its verdict. */
final class SwarmRun {
    private SwarmRun() {
    }

    /**
     * Runs {@code command} (python3 swarm.py ...) for at most {@code seconds}, then SIGTERM (swarm.py
     * tears its children down by PID); asserts that its output matches {@code resultLine} (the
     * line swarm.py prints for a run whose every byte checked) and that it exited 0.
     */
    static void expect(List<String> command, String resultLine, long seconds) throws Exception {
        Path log = Files.createTempFile("swarm-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.toHandle().destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).as(output).containsPattern(resultLine);
            assertThat(p.exitValue()).as(output).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
