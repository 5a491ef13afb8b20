package org.jtorrent.bench;

import bt.bencoding.serializers.BEParser;
import com.turn.ttorrent.bcodec.BDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.Bencode;

/**
 * Heap kept alive by a decoded result, not counting the input buffer: used heap after a full GC
 * while the result is held, minus used heap after a full GC before decoding. Prints one line per
 * input and decoder: {@code retained <input> <decoder> <inputBytes> <retainedBytes> [<tokenBytes>]}, where
 * tokenBytes is our token array (8 bytes per token plus the end sentinel).
 */
public final class RetainedHeap {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private RetainedHeap() {
    }

    public static void main(String[] args) throws Exception {
        for (Measurement m : measureAll(args.length > 0 ? List.of(args) : DECODERS)) {
            System.out.println("retained " + m.input() + " " + m.decoder() + " " + m.inputBytes() + " " + m.retainedBytes()
                    + (m.tokenBytes() >= 0 ? " " + m.tokenBytes() : ""));
        }
    }

    static final List<String> DECODERS = List.of("jtorrent", "bt", "ttorrent");

    /** One figure: {@code tokenBytes} is the token array's size for our documents, -1 for the others. */
    record Measurement(String input, String decoder, long inputBytes, long retainedBytes, long tokenBytes) {
    }

    static List<Measurement> measureAll(List<String> decoders) throws Exception {
        List<Measurement> out = new ArrayList<>();
        for (String name : List.of("tracker", "torrent")) {
            byte[] input = BenchInputs.named(name);
            for (String decoder : decoders) {
                Callable<Object> decode = switch (decoder) {
                    case "jtorrent" -> () -> Bencode.decode(input);
                    case "bt" -> () -> new BEParser(input).readMap();
                    case "ttorrent" -> () -> BDecoder.bdecode(ByteBuffer.wrap(input));
                    default -> throw new IllegalArgumentException("unknown decoder " + decoder);
                };
                long before = usedAfterGc();
                Object result = decode.call();
                long retained = usedAfterGc() - before;
                long tokenBytes = result instanceof BDocument doc ? (doc.tokenCount() + 1L) * Long.BYTES : -1;
                out.add(new Measurement(name, decoder, input.length, retained, tokenBytes));
                Reference.reachabilityFence(result);
            }
            Reference.reachabilityFence(input);
        }
        return out;
    }

    private static long usedAfterGc() {
        // Several rounds: one full GC may leave garbage that only the next finds (finalizers, references).
        for (int i = 0; i < 3; i++) System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
