package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PathSanitizerTest {

    private static Optional<String> sanitize(String s) {
        return PathSanitizer.element(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a.txt          | a.txt",
            "foo/../../bar  | foo....bar",
            "\\\\est2       | est2",
            "x\\y           | xy",
            "''             | _",
            "a\u0001b       | a_b",
            "résumé.pdf     | résumé.pdf",
            "...            | ...",
    })
    void keepsSafeNames(String raw, String expected) {
        assertThat(sanitize(raw)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource({".", "..", "/", "//", "\\"})
    void dropsElementsThatWouldClimbOrVanish(String raw) {
        assertThat(sanitize(raw)).isEmpty();
    }

    @Test
    void removesDirectionOverridesThatDisguiseExtensions() {
        assertThat(sanitize("invoice\u202Efdp.exe")).contains("invoicefdp.exe");
    }

    @Test
    void invalidUtf8BecomesUnderscore() {
        assertThat(PathSanitizer.element(new byte[] {'a', (byte) 0xff, 'b'})).contains("a_b");
        assertThat(PathSanitizer.element(new byte[] {(byte) 0xe2, (byte) 0x82})).contains("__");
    }

    @Test
    void longNamesAreCutKeepingTheExtension() {
        String name = "x".repeat(300) + ".mkv";
        String out = sanitize(name).orElseThrow();
        assertThat(out).endsWith(".mkv");
        assertThat(out.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    }
}
