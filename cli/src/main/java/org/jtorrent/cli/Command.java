package org.jtorrent.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A jtorrent command with its picocli model built in code: each option an {@link Arg} field,
 * declared with picocli's builders and read once parsed.
 *
 * <p>Why not picocli's annotations: reading them makes the JDK generate a proxy class per
 * annotation type, and binding annotated fields spins method handles per field type. The start-up
 * cache can hold neither, so every run paid ~100 ms for them before its first peer
 * (docs/performance.md). The model, the help text and the parsing are still picocli's. One trap:
 * picocli copies a command through its annotations when a subcommand is made repeatable, which
 * would lose the options; jtorrent's are not.
 */
abstract class Command implements Callable<Integer> {

    /** This command's model; its {@code commandLine()} is set once it is part of a command line. */
    final CommandSpec spec;

    /** A command with {@code -h/--help} and {@code -V/--version}. */
    Command(String name, String... description) {
        spec = CommandSpec.wrapWithoutInspection(this).name(name);
        spec.usageMessage().description(description);
        spec.versionProvider(new Version());
        Arg.flag(spec, OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit."));
        Arg.flag(spec, OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit."));
    }

    final <T> Arg<T> option(Class<T> type, OptionSpec.Builder option) {
        return Arg.option(spec, type, option);
    }

    final Arg<Boolean> flag(OptionSpec.Builder option) {
        return Arg.flag(spec, option);
    }

    final Arg<List<String>> repeatable(OptionSpec.Builder option) {
        return Arg.repeatable(spec, option);
    }

    final <T> Arg<T> positional(Class<T> type, PositionalParamSpec.Builder parameter) {
        return Arg.positional(spec, type, parameter);
    }

    final <E> Arg<List<E>> positionals(Class<E> type, PositionalParamSpec.Builder parameter) {
        return Arg.positionals(spec, type, parameter);
    }

    /** Where the command prints its result: not System.out, since tests and embedders capture it. */
    final PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
