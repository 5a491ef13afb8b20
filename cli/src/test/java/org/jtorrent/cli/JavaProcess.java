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
}
