package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Piece buffers are direct memory, which the JVM caps apart from the heap
 * ({@code -XX:MaxDirectMemorySize}). A cap lower than the partial-piece memory cap must cost speed,
 * not the download: a piece that finds no direct memory spills to disk like one over the memory
 * cap. The limit is the JVM's, so the scenario runs in a JVM of its own.
 */
class DirectMemoryLimitTest {
    private static final int PIECE = 4 << 20;
    private static final int PIECES = 4;

    @TempDir
    Path dir;

    @Test
    void piecesThatFindNoDirectMemorySpillToDiskAndStillVerify() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // Room for one 4 MiB piece and the staging buffers of spilled blocks, not for two pieces.
        Process p = new ProcessBuilder(java.toString(), "-XX:MaxDirectMemorySize=7m", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Scenario.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("verified " + PIECES + " pieces");
    }

    /** Four 4 MiB pieces in progress at once under a 64 MiB memory cap: only direct memory runs out. */
    public static final class Scenario {
        public static void main(String[] args) throws IOException, InterruptedException, ExecutionException {
            Path folder = Path.of(args[0]);
            TestTorrent t = TestTorrent.single("big.bin", PIECES * PIECE, PIECE);
            List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
            try (Storage storage = Storage.open(t.metainfo().info(), folder, Storage.Options.DEFAULT);
                 PieceHasher hasher = new PieceHasher(1)) {
                PartialPieces partial = new PartialPieces(storage, hasher, 64L << 20);
                int blocks = PIECE / PieceLayout.BLOCK_SIZE;
                for (int b = 0; b < blocks; b++) { // block b of every piece, so that all are partial at once
                    for (int piece = 0; piece < PIECES; piece++) {
                        byte[] block = new byte[PieceLayout.BLOCK_SIZE];
                        System.arraycopy(t.piece(piece), b * PieceLayout.BLOCK_SIZE, block, 0, block.length);
                        CompletableFuture<Boolean> done = partial.add(piece, b * PieceLayout.BLOCK_SIZE, block);
                        if (done != null) outcomes.add(done);
                    }
                }
                int verified = 0;
                for (CompletableFuture<Boolean> done : outcomes) if (done.get()) verified++;
                if (!Arrays.equals(Files.readAllBytes(folder.resolve("big.bin")), t.content())) {
                    System.out.println("file differs");
                    System.exit(1);
                }
                System.out.println("verified " + verified + " pieces");
            }
        }
    }
}
