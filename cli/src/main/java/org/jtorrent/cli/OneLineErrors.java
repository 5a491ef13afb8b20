package org.jtorrent.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * Turns any failure of a command into one line on stderr and exit code 1: users get the message,
 * never a stack trace. {@code JTORRENT_DEBUG=1} prints the trace for developers.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {

    /** Several failures of one command (several bad torrents, say): one line each. */
    static final class Failures extends RuntimeException {
        private final List<String> lines;

        Failures(List<String> lines) {
            super(String.join("; ", lines));
            this.lines = List.copyOf(lines);
        }
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        List<String> messages = switch (e) {
            case Failures several -> several.lines;
            case java.nio.file.NoSuchFileException missing -> List.of("no such file: " + missing.getFile());
            case java.nio.file.AccessDeniedException denied -> List.of("permission denied: " + denied.getFile());
            default -> List.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        };
        for (String message : messages) cli.getErr().println("jtorrent " + cli.getCommandName() + ": " + message);
        if (System.getenv("JTORRENT_DEBUG") != null) e.printStackTrace(cli.getErr());
        return 1;
    }
}
