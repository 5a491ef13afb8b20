package org.jtorrent.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts {@code jtorrent} in a fresh JVM: the test's own java and classpath, so no packaged jar is needed. */
final class JavaProcess {
    private JavaProcess() {
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The command line, for shell templates such as swarm.py's {@code --tracker-cmd}. */
    static List<String> jtorrent(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", classPath(), "org.jtorrent.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    /** This JVM's class path with absolute entries, so the child may run in any directory. */
    static String classPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> java.nio.file.Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    static Process start(String... args) throws IOException {
        return new ProcessBuilder(jtorrent(args)).redirectErrorStream(true).start();
    }

    /**
     * Reads the child's output lines; SIGKILLs it (no shutdown hook, no stopped event, no flush) at
     * the first line whose {@code percent} group is at least {@code atLeast}, and returns that value;
     * -1 if the output ended first. The child is dead on return either way.
     */
    static double killWhenPast(Process p, java.util.regex.Pattern percent, double atLeast) throws Exception {
        try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                java.util.regex.Matcher m = percent.matcher(line.strip());
                if (m.find() && Double.parseDouble(m.group(1)) >= atLeast) {
                    p.destroyForcibly();
                    p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                    return Double.parseDouble(m.group(1));
                }
            }
        } finally {
            p.destroyForcibly();
        }
        p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        return -1;
    }

    /** Runs the child to its end (at most {@code seconds}, else it is killed and the test fails) and returns its output. */
    static String finish(Process p, long seconds) throws Exception {
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try {
            if (!p.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("still running after " + seconds + " s");
            return output.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly(); // a run that hangs must not outlive the test
        }
    }
}
