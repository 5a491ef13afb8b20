package org.jtorrent.bencode;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** A bencoded list. Iterating walks the token array; indexed access is linear. */
public record BList(BDocument document, int index) implements BValue, Iterable<BValue> {

    public int size() {
        int n = 0;
        for (int i = index + 1; document.type(i) != Tokens.END; i = document.next(i)) n++;
        return n;
    }

    public boolean isEmpty() {
        return document.type(index + 1) == Tokens.END;
    }

    @Override
    public Iterator<BValue> iterator() {
        return new Iterator<>() {
            private int next = index + 1;

            @Override
            public boolean hasNext() {
                return document.type(next) != Tokens.END;
            }

            @Override
            public BValue next() {
                if (!hasNext()) throw new NoSuchElementException();
                BValue value = document.view(next);
                next = document.next(next);
                return value;
            }
        };
    }

    @Override
    public String kind() {
        return "list";
    }
}
