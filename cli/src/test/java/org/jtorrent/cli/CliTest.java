package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandAndEachHasItsOwnHelp() {
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("info", "create");
        for (String command : new String[] {"info", "create"}) {
            Result r = run(command, "--help");
            assertThat(r.code()).as(command).isZero();
            assertThat(r.out()).contains("Usage: jtorrent " + command);
        }
    }

    @Test
    void everyCommandTakesHelpAndVersionAndNamesWhatIsMissing() {
        for (String command : new String[] {"info", "create", "download", "demo", "seed", "tracker"}) {
            assertThat(run(command, "--help").out()).as(command).startsWith("Usage: jtorrent " + command + " [-hV]");
            assertThat(run("help", command).out()).as(command).startsWith("Usage: jtorrent " + command + " [-hV]");
            assertThat(run(command, "-V").out()).as(command).startsWith("jtorrent 0.1.0");
        }
        assertThat(run("help", "help").out()).startsWith("Display help information about the specified command.")
                .contains("Usage: jtorrent help [-h] [COMMAND]");
        Result missing = run("download");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("Missing required parameter: 'SOURCE'").contains("Usage: jtorrent download");
        assertThat(run("create", "x").err()).startsWith("Missing required option: '--output=OUT.torrent'");
        assertThat(run("seed", "x.torrent").err()).startsWith("Missing required option: '--data=DIR'");
        Result badNumber = run("download", "x.torrent", "--max-peers", "many");
        assertThat(badNumber.code()).isEqualTo(2);
        assertThat(badNumber.err()).startsWith("Invalid value for option '--max-peers': 'many' is not an int");
        assertThat(run("seed", "x.torrent", "--data", ".", "--max-peers", "many").err())
                .startsWith("Invalid value for option '--max-peers': 'many' is not an int");
        Result unknown = run("help", "nope");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unknown subcommand 'nope'.").contains("Usage: jtorrent [-hV] [COMMAND]");
        assertThat(run().out()).startsWith("Usage: jtorrent [-hV] [COMMAND]").contains("download", "tracker");
    }

    @Test
    void createThenInfoAsJson() throws Exception {
        Path payload = dir.resolve("show");
        Files.createDirectories(payload.resolve("sub"));
        Files.writeString(payload.resolve("sub/a.txt"), "hello");
        Files.write(payload.resolve("b.bin"), new byte[40_000]);
        Path torrent = dir.resolve("show.torrent");
        Result created = run("create", payload.toString(), "-o", torrent.toString(), "-t", "http://127.0.0.1:1/a,http://127.0.0.1:2/a",
                "-t", "udp://127.0.0.1:3", "--private", "--web-seed", "http://127.0.0.1:4/", "--piece-length", "16K");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).contains("info-hash: ");

        Result info = run("info", "--json", torrent.toString());
        assertThat(info.code()).as(info.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(info.out());
        assertThat(json.get("name").asText()).isEqualTo("show");
        assertThat(json.get("total_size").asLong()).isEqualTo(40_005);
        assertThat(json.get("piece_length").asInt()).isEqualTo(16384);
        assertThat(json.get("piece_count").asInt()).isEqualTo(3);
        assertThat(json.get("files").toString()).isEqualTo(
                "[{\"index\":0,\"path\":\"show/b.bin\",\"length\":40000},{\"index\":1,\"path\":\"show/sub/a.txt\",\"length\":5}]");
        assertThat(json.get("trackers").toString()).isEqualTo(
                "[[\"http://127.0.0.1:1/a\",\"http://127.0.0.1:2/a\"],[\"udp://127.0.0.1:3\"]]");
        assertThat(json.get("web_seeds").toString()).isEqualTo("[\"http://127.0.0.1:4/\"]");
        assertThat(json.get("private").asBoolean()).isTrue();
        assertThat(json.get("magnet").asText()).startsWith("magnet:?xt=urn:btih:" + json.get("info_hash").asText());

        Result text = run("info", torrent.toString());
        assertThat(text.out()).contains("name:         show", "tier 2: udp://127.0.0.1:3", "show/sub/a.txt")
                .containsPattern("\\n +0 +39\\.1 KiB +show/b\\.bin\\n +1 +5 B +show/sub/a\\.txt\\n");
    }

    /** Hostile or broken files: one line on stderr, exit code 1, no stack trace, no hang, no OOM. */
    @ParameterizedTest
    @ValueSource(strings = {"deep", "huge-string", "truncated", "negative-length", "garbage", "empty", "missing"})
    void hostileTorrentsGiveOneLineAndNonZeroExit(String kind) throws Exception {
        Path file = dir.resolve(kind + ".torrent");
        byte[] content = switch (kind) {
            case "deep" -> ("l".repeat(100_000) + "e".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
            case "huge-string" -> "d4:info999999999999:xe".getBytes(StandardCharsets.US_ASCII);
            case "truncated" -> "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:abc".getBytes(StandardCharsets.US_ASCII);
            case "negative-length" -> ("d4:infod6:lengthi-5e4:name1:x12:piece lengthi16384e6:pieces20:" + "a".repeat(20) + "ee")
                    .getBytes(StandardCharsets.US_ASCII);
            case "garbage" -> {
                byte[] b = new byte[4096];
                new java.util.Random(1).nextBytes(b);
                yield b;
            }
            case "empty" -> new byte[0];
            default -> null;
        };
        if (content != null) Files.write(file, content);
        Result r = run("info", file.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("jtorrent info: ").doesNotContain("Exception", "\tat ");
    }

    @Test
    void badOptionsAreReportedWithUsage() {
        Result r = run("create", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--output=OUT.torrent'");
    }
}
