package org.jtorrent.bench;

import bt.bencoding.serializers.BEParser;
import com.turn.ttorrent.bcodec.BDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.Bencode;

/**
 * Heap kept alive by a decoded result, not counting the input buffer: used heap after a full GC
 * while the result is held, minus used heap after a full GC before decoding. Prints one line per
 * input and decoder: {@code retained <input> <decoder> <inputBytes> <retainedBytes> [<tokenBytes>]}.
 */
public final class RetainedHeap {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private RetainedHeap() {
    }

    public static void main(String[] args) throws Exception {
        String[] decoders = args.length > 0 ? args : new String[] {"jtorrent", "bt", "ttorrent"};
        for (String name : new String[] {"tracker", "torrent"}) {
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
                String tokenBytes = result instanceof BDocument doc ? " " + (doc.tokenCount() + 1L) * Long.BYTES : "";
                System.out.println("retained " + name + " " + decoder + " " + input.length + " " + retained + tokenBytes);
                Reference.reachabilityFence(result);
            }
            Reference.reachabilityFence(input);
        }
    }

    private static long usedAfterGc() {
        // Several rounds: one full GC may leave garbage that only the next finds (finalizers, references).
        for (int i = 0; i < 3; i++) System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
