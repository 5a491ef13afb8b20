package org.jtorrent.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtorrent} command: one subcommand per job, each with its own {@code --help}. */
@Command(name = "jtorrent",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "A BitTorrent client, torrent maker and tracker.",
        subcommands = {
                InfoCommand.class,
                CreateCommand.class,
                CommandLine.HelpCommand.class,
                DownloadCommand.class,
                TrackerCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
