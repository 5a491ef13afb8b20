package org.jtorrent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code jtorrent} command: one subcommand per job, each with its own {@code --help}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The whole command line; without a subcommand it prints its usage. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Root().spec);
        for (Subcommand sub : new Subcommand[] {new InfoCommand(), new CreateCommand(), new HelpCommand(),
                new DownloadCommand(), new DemoCommand(), new SeedCommand(), new TrackerCommand()}) {
            cli.addSubcommand(sub.spec.name(), sub.spec);
        }
        // picocli converts paths through reflection (it supports Java 5), which spins method handles
        // on first use; a direct converter does not.
        cli.registerConverter(Path.class, Path::of);
        return cli;
    }

    /** {@code jtorrent} itself, run without a subcommand: prints the usage. */
    private static final class Root implements Runnable {
        final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("jtorrent");

        Root() {
            spec.usageMessage().description("A BitTorrent client, torrent maker and tracker.");
            StandardOptions.addTo(spec);
        }

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }
}
