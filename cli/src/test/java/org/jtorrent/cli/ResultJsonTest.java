package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.PeerSummary;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;
import org.jtorrent.id.InfoHash;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
    @Test
    void theSingleTorrentObjectWithNameStateAndErrorAddedEscaped() throws Exception {
        DownloadResult result = new DownloadResult("ab".repeat(20), false, 10, 2, 3, 1.5,
                List.of(new PeerSummary("127.0.0.1:1", "x", 10, 3, "eof", true)));
        TorrentStatus status = new TorrentStatus(InfoHash.of(new byte[20]), "a \"quoted\"\n\u0001name", TorrentState.ERROR,
                "disk full: /x\\y", 100, 10, 0.1, 0, 0, 12, 3, 0, 0, Optional.<Duration>empty(), 0, List.of(10L), 0);
        String line = ResultJson.line(result, status);
        assertThat(line).doesNotContain("\n").startsWith(result.toJson().substring(0, result.toJson().length() - 1) + ",");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("name").asText()).isEqualTo("a \"quoted\"\n\u0001name");
        assertThat(json.get("state").asText()).isEqualTo("error");
        assertThat(json.get("error").asText()).isEqualTo("disk full: /x\\y");
        assertThat(json.get("peers").get(0).get("closed_because").asText()).isEqualTo("eof");
        assertThat(json.get("peers").get(0).get("encrypted").asBoolean()).isTrue();
    }
}
