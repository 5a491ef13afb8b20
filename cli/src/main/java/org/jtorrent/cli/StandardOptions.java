package org.jtorrent.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code -h/--help} and {@code -V/--version} on every command: what picocli's
 * {@code mixinStandardHelpOptions} adds, built in code because that mixin is read from annotations
 * (see {@link Subcommand}).
 */
final class StandardOptions {
    private StandardOptions() {
    }

    static void addTo(CommandSpec spec) {
        spec.versionProvider(new Version());
        Subcommand.option(spec, Subcommand.flag("-h", "--help").usageHelp(true)
                .description("Show this help message and exit."));
        Subcommand.option(spec, Subcommand.flag("-V", "--version").versionHelp(true)
                .description("Print version information and exit."));
    }
}
