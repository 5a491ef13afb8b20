package org.jtorrent.bencode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A bencoded dictionary. Keys are kept in input order (real torrents have unsorted keys); a lookup
 * is a linear scan that returns the first value for a duplicated key, as libtorrent does.
 */
public record BDict(BDocument document, int index) implements BValue {

    /** One key and its value. */
    public record Entry(BString key, BValue value) {
    }

    /** The value for a key given as text (UTF-8), or empty. */
    public Optional<BValue> get(String key) {
        return get(key.getBytes(StandardCharsets.UTF_8));
    }

    public Optional<BValue> get(byte[] key) {
        for (int i = index + 1; document.type(i) != Tokens.END; ) {
            int value = i + 1; // keys are strings: one token each
            if (new BString(document, i).contentEquals(key)) return Optional.of(document.view(value));
            i = document.next(value);
        }
        return Optional.empty();
    }

    public boolean containsKey(String key) {
        return get(key).isPresent();
    }

    public Iterable<Entry> entries() {
        return () -> new Iterator<>() {
            private int next = index + 1;

            @Override
            public boolean hasNext() {
                return document.type(next) != Tokens.END;
            }

            @Override
            public Entry next() {
                if (!hasNext()) throw new NoSuchElementException();
                Entry entry = new Entry(new BString(document, next), document.view(next + 1));
                next = document.next(next + 1);
                return entry;
            }
        };
    }

    public int size() {
        int n = 0;
        for (Entry ignored : entries()) n++;
        return n;
    }

    @Override
    public String kind() {
        return "dictionary";
    }
}
