package org.jtorrent.metainfo;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns one path element of a torrent into a safe file name, the way libtorrent does, so that a
 * torrent can never write outside its download folder and jtorrent agrees with libtorrent on the
 * corpus:
 * <ul>
 *   <li>{@code .} and {@code ..} (and elements that are nothing but filtered characters) are dropped;</li>
 *   <li>an empty element becomes {@code _};</li>
 *   <li>{@code /} and {@code \} and the Unicode direction overrides (used to disguise file
 *       extensions) are removed;</li>
 *   <li>control characters and invalid UTF-8 become {@code _};</li>
 *   <li>an element is cut at 240 bytes, keeping a short extension.</li>
 * </ul>
 */
public final class PathSanitizer {
    /** Longest element kept before cutting: file systems allow 255 bytes per name. */
    static final int MAX_ELEMENT_BYTES = 240;

    private static final int[] DIRECTION_OVERRIDES = {0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x200e, 0x200f};

    private PathSanitizer() {
    }

    /** The sanitised element, or empty when the element is to be dropped. */
    public static Optional<String> element(byte[] raw) {
        if (raw.length == 1 && raw[0] == '.') return Optional.empty();
        if (raw.length == 0) return Optional.of("_");
        StringBuilder out = new StringBuilder(raw.length);
        int addedBytes = 0;
        int dots = 0;
        boolean foundExtension = false;
        for (int i = 0; i < raw.length; ) {
            int length = utf8SequenceLength(raw, i);
            int codePoint = length > 0 ? decode(raw, i, length) : -1;
            int step = length > 0 ? length : 1;
            if (codePoint >= 0 && isFiltered(codePoint)) {
                i += step;
                continue;
            }
            if (codePoint < 32) { // invalid UTF-8 or a control character
                out.append('_');
                addedBytes++;
            } else {
                out.appendCodePoint(codePoint);
                if (codePoint == '.') dots++;
                addedBytes += step;
            }
            i += step;
            if (addedBytes >= MAX_ELEMENT_BYTES && !foundExtension) {
                int dot = -1;
                for (int j = raw.length - 1; j > Math.max(raw.length - 10, i - step); j--) {
                    if (raw[j] == '.') {
                        dot = j;
                        break;
                    }
                }
                if (dot == -1) break;
                foundExtension = true;
                i = dot;
            }
        }
        if (addedBytes == dots && addedBytes <= 2) return Optional.empty();
        return Optional.of(out.toString());
    }

    private static boolean isFiltered(int codePoint) {
        if (codePoint == '/' || codePoint == '\\') return true;
        for (int bad : DIRECTION_OVERRIDES) if (codePoint == bad) return true;
        return false;
    }

    /** Length of the well-formed UTF-8 sequence at {@code i}, or 0 when it is not well formed. */
    private static int utf8SequenceLength(byte[] b, int i) {
        int lead = b[i] & 0xff;
        if (lead < 0x80) return 1;
        int length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3
                : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
        if (length == 0 || i + length > b.length) return 0;
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, i, length));
            return length;
        } catch (CharacterCodingException e) {
            return 0;
        }
    }

    private static int decode(byte[] b, int i, int length) {
        return new String(b, i, length, StandardCharsets.UTF_8).codePointAt(0);
    }
}
