package org.jtorrent.cli;

import java.nio.file.Path;
import org.jtorrent.state.StateDirectory;
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

    /** The folder given, else the default for this user ({@link StateDirectory#defaultLocation()}). */
    Path directory() {
        Path given = state.get();
        return given != null ? given : StateDirectory.defaultLocation();
    }
}
