package org.jtorrent.bencode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes canonical bencode: dictionary keys sorted as raw bytes, no duplicates.
 *
 * <p>Accepted values: {@link Map} (keys {@code String} or {@code byte[]}), {@link List},
 * {@code Long}/{@code Integer}/{@code Short}/{@code Byte}, {@code byte[]}, {@link ByteBuffer} (its
 * remaining bytes), {@link String} (as UTF-8), and {@link BValue} (its original bytes, unchanged).
 * Nesting is bounded by the caller's own object tree, which we built, so recursion is fine here.
 */
public final class Encoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Encoder write(Object value) {
        switch (value) {
            case null -> throw new IllegalArgumentException("bencode has no null");
            case BValue raw -> {
                // Straight from the input array: raw() is a read-only buffer, whose array() throws.
                BDocument doc = raw.document();
                int from = doc.start(raw.index());
                out.write(doc.input(), from, doc.endOf(raw.index()) - from);
            }
            case byte[] bytes -> writeString(bytes, 0, bytes.length);
            case ByteBuffer buffer -> {
                byte[] copy = new byte[buffer.remaining()];
                buffer.duplicate().get(copy);
                writeString(copy, 0, copy.length);
            }
            case String text -> {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                writeString(bytes, 0, bytes.length);
            }
            case Long n -> writeInt(n);
            case Integer n -> writeInt(n);
            case Short n -> writeInt(n);
            case Byte n -> writeInt(n);
            case List<?> list -> {
                out.write('l');
                list.forEach(this::write);
                out.write('e');
            }
            case Map<?, ?> map -> writeDict(map);
            default -> throw new IllegalArgumentException("cannot bencode a " + value.getClass().getName());
        }
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void writeDict(Map<?, ?> map) {
        record KeyValue(byte[] key, Object value) {
        }
        List<KeyValue> entries = new ArrayList<>(map.size());
        map.forEach((k, v) -> entries.add(new KeyValue(switch (k) {
            case String s -> s.getBytes(StandardCharsets.UTF_8);
            case byte[] b -> b;
            default -> throw new IllegalArgumentException("dictionary key must be a String or byte[], not " + k);
        }, v)));
        entries.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
        out.write('d');
        for (int i = 0; i < entries.size(); i++) {
            KeyValue e = entries.get(i);
            if (i > 0 && Arrays.equals(entries.get(i - 1).key, e.key)) {
                throw new IllegalArgumentException("duplicate dictionary key " + new String(e.key, StandardCharsets.UTF_8));
            }
            writeString(e.key, 0, e.key.length);
            write(e.value);
        }
        out.write('e');
    }

    private void writeString(byte[] bytes, int from, int length) {
        writeAscii(Integer.toString(length));
        out.write(':');
        out.write(bytes, from, length);
    }

    private void writeInt(long n) {
        out.write('i');
        writeAscii(Long.toString(n));
        out.write('e');
    }

    private void writeAscii(String s) {
        for (int i = 0; i < s.length(); i++) out.write(s.charAt(i));
    }
}
