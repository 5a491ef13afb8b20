package org.jtorrent.cli;

import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * An option or positional parameter added to a command's picocli model, read with its own type
 * once the command line is parsed. The type is given once, where the argument is declared, and
 * picocli converts to exactly that type.
 */
final class Arg<T> {
    private final ArgSpec spec;
    private final Function<Object, T> read;

    private Arg(ArgSpec spec, Function<Object, T> read) {
        this.spec = spec;
        this.read = read;
    }

    /** The parsed value, or the default; null only for an argument without a default that was not given. */
    T get() {
        return read.apply(spec.getValue());
    }

    /** An option with one value of {@code type}. */
    static <T> Arg<T> option(CommandSpec command, Class<T> type, OptionSpec.Builder option) {
        OptionSpec built = option.type(type).build();
        command.addOption(built);
        return new Arg<>(built, type::cast);
    }

    /** An option without a value: false unless given. */
    static Arg<Boolean> flag(CommandSpec command, OptionSpec.Builder option) {
        return option(command, Boolean.class, option.initialValue(false));
    }

    /** An option that may be given many times: its strings in command-line order, empty when not given. */
    static Arg<List<String>> repeatable(CommandSpec command, OptionSpec.Builder option) {
        OptionSpec built = option.type(List.class).auxiliaryTypes(String.class).build();
        command.addOption(built);
        return new Arg<>(built, Arg::strings);
    }

    /** A positional parameter of {@code type}. */
    static <T> Arg<T> positional(CommandSpec command, Class<T> type, PositionalParamSpec.Builder parameter) {
        PositionalParamSpec built = parameter.type(type).build();
        command.addPositional(built);
        return new Arg<>(built, type::cast);
    }

    /** Positional parameters of {@code type} (arity "1..*" for one or more): their values in command-line order. */
    static <E> Arg<List<E>> positionals(CommandSpec command, Class<E> type, PositionalParamSpec.Builder parameter) {
        PositionalParamSpec built = parameter.type(List.class).auxiliaryTypes(type).build();
        command.addPositional(built);
        return new Arg<>(built, values -> elements(values, type));
    }

    @SuppressWarnings("unchecked") // picocli fills the list with strings: auxiliaryTypes(String.class)
    private static List<String> strings(Object values) {
        return values == null ? List.of() : (List<String>) values;
    }

    private static <E> List<E> elements(Object values, Class<E> type) {
        if (values == null) return List.of();
        return ((List<?>) values).stream().map(type::cast).toList();
    }
}
