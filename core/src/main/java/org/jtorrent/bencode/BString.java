package org.jtorrent.bencode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A bencoded byte string. It stays bytes; text is decoded only where a field is text. */
public record BString(BDocument document, int index) implements BValue {

    public int length() {
        return document.endOf(index) - document.stringStart(index);
    }

    /** The string's content, without copying. */
    public ByteBuffer content() {
        return document.slice(document.stringStart(index), document.endOf(index));
    }

    /** A copy of the string's content. */
    public byte[] bytes() {
        return Arrays.copyOfRange(document.input(), document.stringStart(index), document.endOf(index));
    }

    /** The content decoded as UTF-8, invalid sequences replaced. */
    public String utf8() {
        int from = document.stringStart(index);
        return new String(document.input(), from, document.endOf(index) - from, StandardCharsets.UTF_8);
    }

    /** Whether the content is exactly these bytes. */
    public boolean contentEquals(byte[] other) {
        int from = document.stringStart(index);
        return Arrays.equals(document.input(), from, document.endOf(index), other, 0, other.length);
    }

    @Override
    public String kind() {
        return "string";
    }

    @Override
    public String toString() {
        return utf8();
    }
}
