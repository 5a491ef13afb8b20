package org.jtorrent.cli;

import picocli.CommandLine;

/**
 * Turns any failure of a command into one line on stderr and exit code 1: users get the message,
 * never a stack trace. {@code JTORRENT_DEBUG=1} prints the trace for developers.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        String message = switch (e) {
            case java.nio.file.NoSuchFileException missing -> "no such file: " + missing.getFile();
            case java.nio.file.AccessDeniedException denied -> "permission denied: " + denied.getFile();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        cli.getErr().println("jtorrent " + cli.getCommandName() + ": " + message);
        if (System.getenv("JTORRENT_DEBUG") != null) e.printStackTrace(cli.getErr());
        return 1;
    }
}
