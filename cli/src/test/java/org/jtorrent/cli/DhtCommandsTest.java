package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtorrent dht-node} and {@code dht-lookup} as users run them: a DHT of child JVMs on loopback (inside {@code unshare -n}). */
@Timeout(120)
class DhtCommandsTest {
    private static final Pattern LISTENING = Pattern.compile("listening on udp ([0-9.]+:\\d+)");
    private static final String INFO_HASH = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
    private final List<Process> started = new ArrayList<>();

    /** A running child and the lines it printed so far. */
    record Running(Process process, List<String> lines) {
        String await(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (String line : lines) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) return m.groupCount() > 0 ? m.group(1) : line;
                }
                if (!process.isAlive() && lines.stream().noneMatch(l -> pattern.matcher(l).find())) break;
                Thread.sleep(50);
            }
            throw new AssertionError("no line matching " + pattern + " in " + lines);
        }
    }

    private Running start(String... args) throws Exception {
        Process p = JavaProcess.start(args);
        started.add(p);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        return new Running(p, lines);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    @Test
    void aDhtOfNodeProcessesCarriesAnAnnounceToALookup() throws Exception {
        Running first = start("dht-node", "--bind", "127.0.5.1", "--port", "0", "--no-bootstrap");
        String entry = first.await(LISTENING);
        List<Running> others = new ArrayList<>();
        for (int i = 2; i <= 4; i++) others.add(start("dht-node", "--bind", "127.0.5." + i, "--port", "0", "--bootstrap", entry));
        for (Running n : others) n.await(Pattern.compile("dht bootstrap done: [1-9]"));

        String announced = JavaProcess.finish(JavaProcess.start("dht-lookup", INFO_HASH, "--bind", "127.0.5.9", "--bootstrap", entry,
                "--announce", "7000", "--timeout", "20"), 60);
        assertThat(announced).containsPattern("announced to [1-9]\\d* nodes");

        Process lookup = JavaProcess.start("dht-lookup", INFO_HASH, "--bind", "127.0.5.10", "--dht-bootstrap", entry, "--timeout", "20");
        String found = JavaProcess.finish(lookup, 60);
        assertThat(lookup.exitValue()).as(found).isZero();
        assertThat(found).contains("peer 127.0.5.9:7000");
        assertThat(found).containsPattern("lookup " + INFO_HASH + ": 1 peers, \\d+ lookups, [1-9]\\d* hops, [1-9]\\d* queries, [1-9]\\d* replies, \\d+ ms");

        // SIGTERM: one closing line with the node's figures
        Running last = others.getLast();
        last.process().toHandle().destroy(); // SIGTERM without closing our end of its output
        assertThat(last.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        last.await(Pattern.compile("dht node stopped: [1-9]\\d* nodes in the routing table"));
    }

    @Test
    void aLookupThatFindsNothingExitsOneAndBadInputGetsOneLine() throws Exception {
        Running lone = start("dht-node", "--bind", "127.0.6.1", "--port", "0", "--no-bootstrap");
        String entry = lone.await(LISTENING);
        Process empty = JavaProcess.start("dht-lookup", INFO_HASH, "--bind", "127.0.6.2", "--bootstrap", entry, "--timeout", "2");
        String out = JavaProcess.finish(empty, 60);
        assertThat(empty.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("0 peers");

        for (String[] bad : List.of(new String[] {"dht-lookup", "xyz", "--bootstrap", entry},
                new String[] {"dht-lookup", INFO_HASH, "--bootstrap", "127.0.0.1"},
                new String[] {"dht-lookup", INFO_HASH, "--bootstrap", "::1:5"},
                new String[] {"dht-node", "--bind", "localhost", "--no-bootstrap"},
                new String[] {"dht-node", "--bootstrap", "127.0.0.1:1", "--no-bootstrap"})) {
            Process p = JavaProcess.start(bad);
            String text = JavaProcess.finish(p, 30).strip();
            assertThat(p.exitValue()).as(text).isNotZero();
            assertThat(text.lines().count()).as(text).isLessThanOrEqualTo(3); // one error line (picocli may add usage hints)
            assertThat(text).startsWith("jtorrent ");
        }
    }

    @Test
    void theStateDirectoryKeepsTheRoutingTableAcrossRestarts(@TempDir Path dir) throws Exception {
        Running first = start("dht-node", "--bind", "127.0.7.1", "--port", "0", "--no-bootstrap");
        String entry = first.await(LISTENING);
        Path state = dir.resolve("state");
        Running node = start("dht-node", "--bind", "127.0.7.2", "--port", "0", "--bootstrap", entry, "--state", state.toString());
        node.await(Pattern.compile("dht bootstrap done: [1-9]"));
        node.process().toHandle().destroy();
        assertThat(node.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.size(state.resolve("dht.state"))).isPositive();

        Running again = start("dht-node", "--bind", "127.0.7.2", "--port", "0", "--no-bootstrap", "--state", state.toString());
        again.await(Pattern.compile("dht state: 1 saved nodes"));
        again.await(Pattern.compile("dht bootstrap done: 1 nodes"));
    }
}
