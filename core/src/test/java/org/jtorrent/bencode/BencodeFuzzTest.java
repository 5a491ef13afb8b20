package org.jtorrent.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jtorrent.testing.FuzzChecks;

/**
 * Fuzz target of the bencode decoder (docs/fuzzing.md). Any input either decodes or throws
 * {@link BencodeException}; a decoded document has at most one token per input byte and allocates
 * in proportion to the input; its views agree with the bytes (integers re-read independently);
 * decode, encode, decode gives the same value; and canonical input re-encodes to itself.
 */
class BencodeFuzzTest {
    /**
     * Tokens (8 bytes per input byte at most), their growth and trim copies, and the views: 40
     * bytes per input byte. The constant covers the small fixed arrays and an exception's stack trace.
     */
    static long allocationLimit(int inputLength) {
        return 40L * inputLength + 64 * 1024;
    }

    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        BDocument doc;
        try {
            doc = FuzzChecks.boundedAllocation(allocationLimit(input.length), "Bencode.decode", () -> Bencode.decode(input));
        } catch (BencodeException e) {
            assertThat(e.offset()).isBetween(0L, (long) input.length);
            prefixMustAgreeWithFailure(input);
            return;
        }
        assertThat(doc.tokenCount()).isBetween(1, input.length);
        assertThat(doc.endOffset()).isEqualTo(input.length);
        assertThat(doc.root().rawBytes()).isEqualTo(input);

        BDocument prefix = Bencode.decodePrefix(input);
        assertThat(prefix.endOffset()).isEqualTo(doc.endOffset());
        assertThat(prefix.tokenCount()).isEqualTo(doc.tokenCount());

        checkViews(doc.root());

        // The BValue itself is written back as its original bytes.
        assertThat(Bencode.encode(doc.root())).isEqualTo(input);

        // decode -> encode -> decode: the same value. Duplicate keys keep their first value, as lookups do.
        byte[] encoded = Bencode.encode(model(doc.root()));
        BDocument again = Bencode.decode(encoded);
        assertSameValue(doc.root(), again.root());
        assertThat(Bencode.encode(model(again.root()))).isEqualTo(encoded);
        assertThat(encoded.length).isLessThanOrEqualTo(input.length);
        if (isCanonical(doc.root())) assertThat(encoded).isEqualTo(input);
    }

    /** A decode error is either an error of the first value too, or trailing bytes after a good first value. */
    private static void prefixMustAgreeWithFailure(byte[] input) {
        try {
            BDocument first = Bencode.decodePrefix(input);
            assertThat(first.endOffset()).isLessThan(input.length);
        } catch (BencodeException expected) {
            // the first value itself is invalid
        }
    }

    /** Walks every view: lengths, integers (re-read from their text), lookups by key, sizes. */
    private static void checkViews(BValue value) {
        switch (value) {
            case BInt i -> {
                String text = new String(i.rawBytes(), StandardCharsets.US_ASCII);
                assertThat(i.value()).isEqualTo(Long.parseLong(text.substring(1, text.length() - 1)));
            }
            case BString s -> {
                byte[] raw = s.rawBytes();
                String prefix = s.length() + ":";
                assertThat(new String(raw, 0, Math.min(raw.length, prefix.length()), StandardCharsets.US_ASCII)).isEqualTo(prefix);
                assertThat(s.bytes()).isEqualTo(Arrays.copyOfRange(raw, prefix.length(), raw.length));
                assertThat(s.content().remaining()).isEqualTo(s.length());
                assertThat(s.contentEquals(s.bytes())).isTrue();
            }
            case BList l -> {
                int n = 0;
                for (BValue v : l) {
                    checkViews(v);
                    n++;
                }
                assertThat(l.size()).isEqualTo(n);
                assertThat(l.isEmpty()).isEqualTo(n == 0);
            }
            case BDict d -> {
                int n = 0;
                Set<String> seen = new HashSet<>();
                for (BDict.Entry e : d.entries()) {
                    checkViews(e.key());
                    checkViews(e.value());
                    // A lookup finds the first value of a key.
                    if (seen.add(latin1(e.key().bytes()))) {
                        assertThat(d.get(e.key().bytes()).orElseThrow().offset()).isEqualTo(e.value().offset());
                    }
                    n++;
                }
                assertThat(d.size()).isEqualTo(n);
            }
        }
    }

    /** The value as the encoder's Java types: byte[] strings, lists, byte[]-keyed maps (first value of a key wins). */
    static Object model(BValue value) {
        return switch (value) {
            case BInt i -> i.value();
            case BString s -> s.bytes();
            case BList l -> {
                List<Object> list = new ArrayList<>();
                for (BValue v : l) list.add(model(v));
                yield list;
            }
            case BDict d -> {
                Map<String, byte[]> keys = new LinkedHashMap<>();
                Map<byte[], Object> map = new LinkedHashMap<>();
                for (BDict.Entry e : d.entries()) {
                    byte[] key = e.key().bytes();
                    if (keys.putIfAbsent(latin1(key), key) == null) map.put(key, model(e.value()));
                }
                yield map;
            }
        };
    }

    /** Same type and content; dictionaries compared as maps under first-value-wins lookups. */
    static void assertSameValue(BValue expected, BValue actual) {
        assertThat(actual.kind()).isEqualTo(expected.kind());
        switch (expected) {
            case BInt i -> assertThat(((BInt) actual).value()).isEqualTo(i.value());
            case BString s -> assertThat(((BString) actual).bytes()).isEqualTo(s.bytes());
            case BList l -> {
                List<BValue> a = new ArrayList<>();
                ((BList) actual).forEach(a::add);
                int i = 0;
                for (BValue v : l) assertSameValue(v, a.get(i++));
                assertThat(a).hasSize(i);
            }
            case BDict d -> {
                BDict other = (BDict) actual;
                Set<String> keys = new HashSet<>();
                for (BDict.Entry e : d.entries()) {
                    if (keys.add(latin1(e.key().bytes()))) {
                        assertSameValue(e.value(), other.get(e.key().bytes()).orElseThrow());
                    }
                }
                assertThat(other.size()).isEqualTo(keys.size());
            }
        }
    }

    /** Keys strictly ascending as raw bytes in every dictionary: the one encoding of the value. */
    static boolean isCanonical(BValue value) {
        switch (value) {
            case BList l -> {
                for (BValue v : l) if (!isCanonical(v)) return false;
                return true;
            }
            case BDict d -> {
                byte[] previous = null;
                for (BDict.Entry e : d.entries()) {
                    byte[] key = e.key().bytes();
                    if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) return false;
                    if (!isCanonical(e.value())) return false;
                    previous = key;
                }
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
