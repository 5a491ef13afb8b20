package org.jtorrent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code jtorrent help [COMMAND]}: picocli's {@code HelpCommand}, same text and behaviour, built in
 * code like the other commands (see {@link Command}).
 */
final class HelpCommand implements Callable<Integer> {

    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("help").helpCommand(true);

    private final Arg<String> command;

    HelpCommand() {
        spec.usageMessage().header("Display help information about the specified command.").synopsisHeading("%nUsage: ")
                .description("%nWhen no COMMAND is given, the usage help for the main command is displayed.",
                        "If a COMMAND is specified, the help for that command is shown.%n");
        Arg.flag(spec, OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show usage help for the help command and exit."));
        command = Arg.positional(spec, String.class, PositionalParamSpec.builder().arity("0..1").paramLabel("COMMAND")
                .description("The COMMAND to display the usage help message for."));
    }

    @Override
    public Integer call() {
        CommandLine parent = spec.parent().commandLine();
        String name = command.get();
        if (name == null) {
            parent.usage(parent.getOut());
            return 0;
        }
        CommandLine sub = parent.getSubcommands().get(name);
        if (sub == null) throw new CommandLine.ParameterException(parent, "Unknown subcommand '" + name + "'.");
        sub.usage(parent.getOut());
        return 0;
    }
}
