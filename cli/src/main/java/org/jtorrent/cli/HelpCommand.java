package org.jtorrent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent help [COMMAND]}: picocli's help command, built in code (see {@link Subcommand}). */
final class HelpCommand extends Subcommand {

    private final PositionalParamSpec command = positional(PositionalParamSpec.builder().arity("0..1")
            .paramLabel("COMMAND").type(String.class).description("The COMMAND to display the usage help message for."));

    HelpCommand() {
        super("help", "Display help information about the specified command.",
                "When no COMMAND is given, the usage help for the main command is displayed.",
                "If a COMMAND is specified, the help for that command is shown.");
        spec.helpCommand(true);
    }

    @Override
    public Integer call() {
        CommandSpec parent = spec.parent();
        String name = command.getValue();
        if (name == null) {
            parent.commandLine().usage(out());
            return 0;
        }
        CommandLine sub = parent.subcommands().get(name);
        if (sub == null) throw new CommandLine.ParameterException(parent.commandLine(), "Unknown subcommand '" + name + "'.");
        sub.usage(out());
        return 0;
    }
}
