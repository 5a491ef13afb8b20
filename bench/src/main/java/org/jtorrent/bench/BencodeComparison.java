package org.jtorrent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The side-by-side run behind {@code bench/bencode-bench.sh}: measures retained heap in this JVM,
 * runs {@link DecodeBenchmark} through JMH (forked JVMs), reads libtorrent's figures from the file
 * the native program wrote, and prints one table of MB/s (10^6 bytes per second, medians of the
 * measured iterations) with ratios.
 *
 * <p>usage: {@code BencodeComparison <libtorrent results file> <fork JVM flags> [warmups iterations seconds]}.
 * The results file has lines {@code <mode> <input> <MB/s>}, e.g. {@code default tracker 137.7}.
 */
public final class BencodeComparison {
    private static final List<String> INPUTS = List.of("tracker", "torrent");

    private BencodeComparison() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 5) {
            System.err.println("usage: BencodeComparison <libtorrent results> <fork JVM flags> [warmups iterations seconds]");
            System.exit(2);
        }
        Map<String, Double> native_ = readNative(Path.of(args[0]));
        String forkFlags = args[1].trim();
        int warmups = args.length == 5 ? Integer.parseInt(args[2]) : 3;
        int iterations = args.length == 5 ? Integer.parseInt(args[3]) : 5;
        int seconds = args.length == 5 ? Integer.parseInt(args[4]) : 2;

        List<RetainedHeap.Measurement> heap = RetainedHeap.measureAll(RetainedHeap.DECODERS);
        Map<String, Long> sizes = new HashMap<>();
        heap.forEach(m -> sizes.put(m.input(), m.inputBytes()));

        OptionsBuilder options = new OptionsBuilder();
        options.include(DecodeBenchmark.class.getName() + "\\.")
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(seconds))
                .forks(1)
                .shouldFailOnError(true);
        if (!forkFlags.isEmpty()) options.jvmArgsAppend(forkFlags.split("\\s+"));
        Collection<RunResult> results = new Runner(options.build()).run();

        Map<String, Double> java = new HashMap<>(); // "decoder input" -> median MB/s
        for (RunResult run : results) {
            String decoder = run.getParams().getBenchmark().replaceAll(".*\\.", "");
            String input = run.getParams().getParam("input");
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult b : run.getBenchmarkResults()) {
                for (IterationResult it : b.getIterationResults()) scores.add(it.getPrimaryResult().getScore());
            }
            java.put(decoder + " " + input, median(scores) * sizes.get(input) / 1e6);
        }
        printTable(java, native_, heap, sizes, forkFlags, warmups, iterations, seconds);
    }

    private static void printTable(Map<String, Double> java, Map<String, Double> lt, List<RetainedHeap.Measurement> heap,
                                   Map<String, Long> sizes, String forkFlags, int warmups, int iterations, int seconds) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Bencode decoding, MB/s (10^6 B/s), medians. JMH: %d x %ds warmup, %d x %ds measured, 1 fork, fork flags: %s%n",
                warmups, seconds, iterations, seconds, forkFlags.isEmpty() ? "(none)" : forkFlags);
        System.out.println("libtorrent: fresh bdecode_node per decode; 'lt' = default malloc, 'lt-warm' = glibc keeping freed memory (no first-touch page faults)");
        String header = "%-8s %8s %9s %9s %9s %9s %9s | %8s %12s %8s %13s%n";
        System.out.printf(Locale.ROOT, header, "input", "size MB", "jtorrent", "lt", "lt-warm", "Bt", "ttorrent",
                "ours/lt", "ours/lt-warm", "ours/Bt", "ours/ttorrent");
        for (String input : INPUTS) {
            double ours = java.getOrDefault("jtorrent " + input, Double.NaN);
            double ltDefault = lt.getOrDefault("default " + input, Double.NaN);
            double ltWarm = lt.getOrDefault("warm " + input, Double.NaN);
            double bt = java.getOrDefault("bt " + input, Double.NaN);
            double tt = java.getOrDefault("ttorrent " + input, Double.NaN);
            System.out.printf(Locale.ROOT, "%-8s %8.1f %9.0f %9.0f %9.0f %9.0f %9.0f | %8.2f %12.2f %8.1f %13.1f%n",
                    input, sizes.get(input) / 1e6, ours, ltDefault, ltWarm, bt, tt,
                    ours / ltDefault, ours / ltWarm, ours / bt, ours / tt);
        }
        System.out.println();
        System.out.println("Retained heap of the decoded result (input buffer not counted), MB and x input size");
        System.out.printf(Locale.ROOT, "%-8s %-9s %10s %8s %14s%n", "input", "decoder", "retained", "x input", "tokens*8 (x)");
        for (RetainedHeap.Measurement m : heap) {
            double input = sizes.get(m.input());
            System.out.printf(Locale.ROOT, "%-8s %-9s %10.1f %8.2f %14s%n", m.input(), m.decoder(), m.retainedBytes() / 1e6,
                    m.retainedBytes() / input,
                    m.tokenBytes() < 0 ? "" : String.format(Locale.ROOT, "%.1f (%.2f)", m.tokenBytes() / 1e6, m.tokenBytes() / input));
        }
    }

    private static Map<String, Double> readNative(Path file) throws IOException {
        Map<String, Double> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) out.put(f[0] + " " + f[1], Double.parseDouble(f[2]));
        }
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
