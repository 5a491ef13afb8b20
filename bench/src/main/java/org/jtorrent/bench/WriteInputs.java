package org.jtorrent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the benchmark inputs as {@code tracker.bencode} and {@code torrent.bencode} into a directory, for the native decoder. */
public final class WriteInputs {
    private WriteInputs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: WriteInputs <directory>");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (String name : new String[] {"tracker", "torrent"}) {
            byte[] input = BenchInputs.named(name);
            Files.write(dir.resolve(name + ".bencode"), input);
            System.out.println(name + " " + input.length + " bytes");
        }
    }
}
