package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StateOptionsTest {
    private static final Path HOME = Path.of("/home/u");

    @Test
    void defaultFollowsTheXdgBaseDirectoryRules() {
        assertThat(StateOptions.defaultDirectory(Map.of("XDG_STATE_HOME", "/var/st"), HOME)).isEqualTo(Path.of("/var/st/jtorrent"));
        assertThat(StateOptions.defaultDirectory(Map.of(), HOME)).isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
        // The specification: a relative (or empty) value is invalid and ignored.
        assertThat(StateOptions.defaultDirectory(Map.of("XDG_STATE_HOME", "rel/dir"), HOME)).isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
        assertThat(StateOptions.defaultDirectory(Map.of("XDG_STATE_HOME", ""), HOME)).isEqualTo(Path.of("/home/u/.local/state/jtorrent"));
    }

    @Test
    void everyCommandThatRunsASessionTakesIt() {
        for (Command command : new Command[] {new DownloadCommand(), new SeedCommand()}) {
            assertThat(command.spec.findOption("--state")).as(command.spec.name()).isNotNull();
        }
        DownloadCommand download = new DownloadCommand();
        new CommandLine(download.spec).parseArgs("x.torrent", "--state", "/tmp/st");
        assertThat(download.stateDirectory()).isEqualTo(Path.of("/tmp/st"));
    }
}
