package org.jtorrent.bench;

import bt.bencoding.serializers.BEParser;
import com.turn.ttorrent.bcodec.BDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.Bencode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Whole-input decode of the {@link BenchInputs}, ours against the Java decoders a user would
 * otherwise pick. Scores are decodes per second; {@code bencode-bench.sh} turns them into MB/s
 * with the input's size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBenchmark {
    @Param({"tracker", "torrent"})
    public String input;

    private byte[] bytes;

    @Setup
    public void generate() {
        bytes = BenchInputs.named(input);
    }

    @Benchmark
    public BDocument jtorrent() {
        return Bencode.decode(bytes);
    }

    /** Bt (atomashpolskiy/bt): builds a map of objects, each holding a copy of its own bytes. */
    @Benchmark
    public Object bt() {
        try (BEParser parser = new BEParser(bytes)) {
            return parser.readMap();
        }
    }

    /** ttorrent: a stream decoder into a tree of {@code BEValue}s. */
    @Benchmark
    public Object ttorrent() throws IOException {
        return BDecoder.bdecode(ByteBuffer.wrap(bytes));
    }
}
