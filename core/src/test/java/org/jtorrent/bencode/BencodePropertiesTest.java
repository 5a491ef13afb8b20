package org.jtorrent.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the codec over generated values and hostile inputs.
 *
 * <p>Values are modelled with content-equal Java types, so that {@code equals} compares what was
 * encoded: strings are {@link ByteBuffer}s (arbitrary bytes), integers {@link Long}s, lists
 * {@link List}s and dictionaries {@link Map}s keyed by {@link ByteBuffer}.
 */
class BencodePropertiesTest {
    /**
     * Allocation allowed per decode: the token array may be allocated a few times over while it grows
     * (8 bytes per token, at most one token per input byte), plus a constant for small arrays and an
     * exception with its stack trace.
     */
    private static final long ALLOCATION_PER_INPUT_BYTE = 32;
    private static final long ALLOCATION_CONSTANT = 32 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    // ---- round trip ---------------------------------------------------------------------------

    @Property
    void decodingAnEncodedValueGivesItBack(@ForAll("values") Object value) {
        byte[] encoded = Bencode.encode(encodable(value));
        assertThat(model(Bencode.decode(encoded).root())).isEqualTo(value);
    }

    @Property
    void reEncodingADecodedDocumentReproducesTheBytes(@ForAll("values") Object value) {
        byte[] encoded = Bencode.encode(encodable(value));
        BDocument doc = Bencode.decode(encoded);
        assertThat(Bencode.encode(encodable(model(doc.root())))).isEqualTo(encoded);
        assertThat(Bencode.encode(doc.root())).isEqualTo(encoded); // a view re-encodes as its own bytes
    }

    // ---- hostile input ------------------------------------------------------------------------

    @Property
    void randomBytesFailOnlyWithBencodeExceptionAndBoundedAllocation(@ForAll("noise") byte[] input) {
        decodesOrRejectsWithinBounds(input);
    }

    @Property
    void mutatedValidInputFailsOnlyWithBencodeExceptionAndBoundedAllocation(@ForAll("mutated") byte[] input) {
        decodesOrRejectsWithinBounds(input);
    }

    private static void decodesOrRejectsWithinBounds(byte[] input) {
        long thread = Thread.currentThread().threadId();
        THREADS.getThreadAllocatedBytes(thread); // the first call may allocate on its own behalf
        long before = THREADS.getThreadAllocatedBytes(thread);
        BDocument doc = null;
        try {
            doc = Bencode.decode(input);
        } catch (BencodeException expected) {
            // the only failure allowed
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        assertThat(allocated).isLessThanOrEqualTo(ALLOCATION_PER_INPUT_BYTE * input.length + ALLOCATION_CONSTANT);
        if (doc != null) {
            assertThat(doc.tokenCount()).isLessThanOrEqualTo(input.length);
            model(doc.root()); // every view of an accepted document can be read
        }
    }

    // ---- generators ---------------------------------------------------------------------------

    @Provide
    Arbitrary<Object> values() {
        return value(4);
    }

    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> string = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(ByteBuffer::wrap);
        Arbitrary<Object> integer = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L)).map(n -> n);
        if (depth == 0) return Arbitraries.oneOf(string, integer);
        Arbitrary<Object> element = Arbitraries.lazy(() -> value(depth - 1));
        Arbitrary<Object> list = element.list().ofMaxSize(5).map(l -> l);
        Arbitrary<ByteBuffer> key = Arbitraries.bytes().array(byte[].class).ofMaxSize(12).map(ByteBuffer::wrap);
        Arbitrary<Object> dict = Arbitraries.maps(key, element).ofMaxSize(5).map(m -> m);
        return Arbitraries.frequencyOf(
                Tuple.of(3, string), Tuple.of(2, integer), Tuple.of(1, list), Tuple.of(1, dict));
    }

    /** Mostly bencode's own alphabet, so that the noise gets past the first byte. */
    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.frequencyOf(Tuple.of(9, syntaxBytes()), Tuple.of(1, Arbitraries.bytes()))
                .array(byte[].class).ofMaxSize(300);
    }

    /** An encoded value with one to three bytes flipped, inserted or deleted, or cut short. */
    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> valid = values().map(v -> Bencode.encode(encodable(v)));
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.of(Mutation.Kind.class),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.oneOf(syntaxBytes(), Arbitraries.bytes())).as(Mutation::new);
        return Combinators.combine(valid, mutation.list().ofMinSize(1).ofMaxSize(3)).as((bytes, mutations) -> {
            byte[] out = bytes;
            for (Mutation m : mutations) out = m.apply(out);
            return out;
        });
    }

    private static Arbitrary<Byte> syntaxBytes() {
        byte[] alphabet = "dlei0123456789:-".getBytes(StandardCharsets.US_ASCII);
        List<Byte> boxed = new ArrayList<>();
        for (byte b : alphabet) boxed.add(b);
        return Arbitraries.of(boxed);
    }

    record Mutation(Kind kind, double where, byte value) {
        enum Kind { FLIP, INSERT, DELETE, TRUNCATE }

        byte[] apply(byte[] in) {
            int at = (int) (where * in.length); // in 0..length
            return switch (kind) {
                case FLIP -> {
                    if (in.length == 0) yield in;
                    byte[] out = in.clone();
                    int i = Math.min(at, in.length - 1);
                    out[i] = value != out[i] ? value : (byte) (value ^ 1);
                    yield out;
                }
                case INSERT -> {
                    byte[] out = new byte[in.length + 1];
                    System.arraycopy(in, 0, out, 0, at);
                    out[at] = value;
                    System.arraycopy(in, at, out, at + 1, in.length - at);
                    yield out;
                }
                case DELETE -> {
                    if (in.length == 0) yield in;
                    int i = Math.min(at, in.length - 1);
                    byte[] out = new byte[in.length - 1];
                    System.arraycopy(in, 0, out, 0, i);
                    System.arraycopy(in, i + 1, out, i, in.length - i - 1);
                    yield out;
                }
                case TRUNCATE -> Arrays.copyOf(in, at);
            };
        }
    }

    // ---- model <-> encoder input <-> decoded views --------------------------------------------

    /** The model as the {@link Encoder} takes it: strings and keys as byte arrays. */
    private static Object encodable(Object value) {
        return switch (value) {
            case ByteBuffer s -> bytes(s);
            case List<?> list -> list.stream().map(BencodePropertiesTest::encodable).toList();
            case Map<?, ?> map -> {
                Map<byte[], Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(bytes((ByteBuffer) k), encodable(v)));
                yield out;
            }
            default -> value;
        };
    }

    /** A decoded value in model form. */
    private static Object model(BValue value) {
        return switch (value) {
            case BString s -> ByteBuffer.wrap(s.bytes());
            case BInt n -> n.value();
            case BList list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(v -> out.add(model(v)));
                yield out;
            }
            case BDict dict -> {
                Map<ByteBuffer, Object> out = new LinkedHashMap<>();
                dict.entries().forEach(e -> out.putIfAbsent(ByteBuffer.wrap(e.key().bytes()), model(e.value())));
                yield out;
            }
        };
    }

    private static byte[] bytes(ByteBuffer s) {
        byte[] out = new byte[s.remaining()];
        s.duplicate().get(out);
        return out;
    }
}
