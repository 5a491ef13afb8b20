package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jtorrent.state.StateDirectory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StateOptionsTest {
    @Test
    void withoutTheOptionItIsTheStateDirectorysDefault() {
        DownloadCommand download = new DownloadCommand();
        new CommandLine(download.spec).parseArgs("x.torrent");
        assertThat(download.stateDirectory()).isEqualTo(StateDirectory.defaultLocation());
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
