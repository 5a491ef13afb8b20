package org.jtorrent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code jtorrent} command: one subcommand per job, each with its own {@code --help}. */
public final class Main extends Command {

    private Main() {
        super("jtorrent", "A BitTorrent client, torrent maker and tracker.");
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

    /** The whole command line, made anew for each run: picocli keeps the parsed values in it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main().spec);
        for (CommandSpec sub : List.of(new InfoCommand().spec, new CreateCommand().spec, new HelpCommand().spec,
                new DownloadCommand().spec, new DemoCommand().spec, new SeedCommand().spec, new TrackerCommand().spec,
                new DhtNodeCommand().spec, new DhtLookupCommand().spec)) {
            cli.addSubcommand(sub.name(), sub);
        }
        // picocli converts paths through reflection (it supports Java 5), which spins method handles
        // on first use; a direct converter does not.
        cli.registerConverter(Path.class, Path::of);
        return cli;
    }

    /** {@code jtorrent} without a subcommand: its usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 0;
    }
}
