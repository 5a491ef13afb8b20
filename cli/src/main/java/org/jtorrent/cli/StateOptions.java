package org.jtorrent.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --state DIR}: where a command that runs a session keeps what must survive it (each
 * torrent's .torrent, options and resume data). Every such command takes it, so that the same
 * folder brings the same torrents back whichever command ran them.
 */
final class StateOptions {

    private final Arg<Path> state;

    /** Adds this option to {@code spec}. */
    StateOptions(CommandSpec spec) {
        state = Arg.option(spec, Path.class, OptionSpec.builder("--state").paramLabel("DIR")
                // %n: picocli would wrap inside "~/.local", after its dot
                .description("Where the session keeps its state: each torrent's metainfo, options and resume data "
                        + "(default: $XDG_STATE_HOME/jtorrent if set, else%n  ~/.local/state/jtorrent)."));
    }

    /** The folder given, else the default for this user. */
    Path directory() {
        Path given = state.get();
        return given != null ? given : defaultDirectory(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The XDG Base Directory rule: {@code $XDG_STATE_HOME/jtorrent} when that variable holds an
     * absolute path (the specification says to ignore a relative one), else
     * {@code ~/.local/state/jtorrent}.
     */
    static Path defaultDirectory(Map<String, String> environment, Path home) {
        String xdg = environment.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "jtorrent");
        return home.resolve(".local/state/jtorrent");
    }
}
