package org.jtorrent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtorrent} command: one subcommand per job, each with its own {@code --help}. */
@Command(name = "jtorrent",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "A BitTorrent client, torrent maker and tracker.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DownloadCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
