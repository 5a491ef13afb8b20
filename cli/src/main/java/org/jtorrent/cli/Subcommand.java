package org.jtorrent.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A jtorrent command whose picocli model is built in code, each option an {@link OptionSpec} field
 * read with {@code getValue()} once parsed.
 *
 * <p>Why not picocli's annotations: reading them makes the JDK generate a proxy class for each
 * annotation type, and binding annotated fields spins method handles for each field type. The
 * start-up cache cannot hold either, so every run paid ~100 ms for them before its first peer
 * (docs/performance.md). The builders below are plain picocli API; the model, the help text and the
 * parsing are picocli's, as before.
 */
abstract class Subcommand implements Callable<Integer> {

    /** This command's model; its {@code commandLine()} is set once it is part of a command line. */
    final CommandSpec spec;

    Subcommand(String name, String... description) {
        spec = CommandSpec.wrapWithoutInspection(this).name(name);
        spec.usageMessage().description(description);
        StandardOptions.addTo(spec);
    }

    /** Adds an option to this command and returns it, to be read once parsed. */
    final OptionSpec option(OptionSpec.Builder option) {
        return option(spec, option);
    }

    /** Adds a positional parameter to this command and returns it. */
    final PositionalParamSpec positional(PositionalParamSpec.Builder parameter) {
        PositionalParamSpec built = parameter.build();
        spec.addPositional(built);
        return built;
    }

    /** Where the command prints its result: not System.out, since tests and embedders capture it. */
    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    static OptionSpec option(CommandSpec spec, OptionSpec.Builder option) {
        OptionSpec built = option.build();
        spec.addOption(built);
        return built;
    }

    /** An option without a value: false unless given. */
    static OptionSpec.Builder flag(String... names) {
        return OptionSpec.builder(names).type(boolean.class).initialValue(false);
    }

    /** An option that may be given many times, each time with one string. */
    static OptionSpec.Builder repeatable(String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class);
    }

    /** A repeatable option's values, in command-line order; empty when it was not given. */
    static List<String> repeated(OptionSpec option) {
        List<String> values = option.getValue();
        return values == null ? List.of() : values;
    }
}
