package org.jtorrent.tracker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Percent-encoding of raw bytes for tracker query strings. The info-hash and peer id are binary, so
 * they are encoded byte by byte, never through a {@code String} and a charset (which would mangle
 * bytes >= 0x80). Only RFC 3986 unreserved characters stay literal; everything else, including space
 * (never {@code +}), becomes {@code %XX}.
 */
public final class UrlEncoding {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private UrlEncoding() {
    }

    public static String percentEncode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            if (isUnreserved(b)) sb.append((char) b);
            else sb.append('%').append(HEX.toHexDigits(b));
        }
        return sb.toString();
    }

    public static String percentEncode(String text) {
        return percentEncode(text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isUnreserved(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    /**
     * Splits a raw (still encoded) query into names and byte values, in order. A repeated name (as in
     * a multi-hash scrape) keeps every value. {@code +} decodes to a space, as HTML forms send it.
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits
     */
    public static Map<String, List<byte[]>> decodeQuery(String rawQuery) {
        Map<String, List<byte[]>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return params;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = new String(percentDecode(eq < 0 ? pair : pair.substring(0, eq)), StandardCharsets.UTF_8);
            byte[] value = eq < 0 ? new byte[0] : percentDecode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return params;
    }

    public static byte[] percentDecode(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    throw new IllegalArgumentException("truncated percent-escape at character " + i);
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new IllegalArgumentException("bad percent-escape at character " + i);
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                out.write(' ');
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
            }
        }
        return out.toByteArray();
    }
}
