package org.jtorrent.bencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecoderTest {

    private static BDocument decode(String s) {
        return Bencode.decode(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesEveryKindOfValue() {
        BDict root = (BDict) decode("d3:agei-42e4:listli1e0:lee4:name5:hello3:nild1:xi0eee").root();
        assertThat(((BInt) root.get("age").orElseThrow()).value()).isEqualTo(-42);
        assertThat(((BString) root.get("name").orElseThrow()).utf8()).isEqualTo("hello");
        BList list = (BList) root.get("list").orElseThrow();
        assertThat(list.size()).isEqualTo(3);
        List<String> kinds = new ArrayList<>();
        list.forEach(v -> kinds.add(v.kind()));
        assertThat(kinds).containsExactly("integer", "string", "list");
        BDict nested = (BDict) root.get("nil").orElseThrow();
        assertThat(nested.size()).isEqualTo(1);
        assertThat(root.get("missing")).isEmpty();
    }

    @Test
    void everyValueGivesBackItsExactBytes() {
        String input = "d1:bi1e1:ad1:zle1:y3:abcee"; // unsorted keys, as real torrents have
        BDict root = (BDict) decode(input).root();
        assertThat(new String(root.get("a").orElseThrow().rawBytes(), StandardCharsets.ISO_8859_1))
                .isEqualTo("d1:zle1:y3:abce");
        assertThat(new String(root.rawBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(input);
    }

    @Test
    void extremeIntegersRoundTrip() {
        assertThat(((BInt) decode("i9223372036854775807e").root()).value()).isEqualTo(Long.MAX_VALUE);
        assertThat(((BInt) decode("i-9223372036854775808e").root()).value()).isEqualTo(Long.MIN_VALUE);
        assertThat(((BInt) decode("i0e").root()).value()).isZero();
    }

    @Test
    void duplicateKeysYieldTheFirstValueAsLibtorrentDoes() {
        BDict root = (BDict) decode("d1:ai1e1:ai2ee").root();
        assertThat(((BInt) root.get("a").orElseThrow()).value()).isEqualTo(1);
    }

    @Test
    void prefixDecodingSaysWhereTheValueEnded() {
        byte[] msg = "d8:msg_typei1e5:piecei0eeRAWDATA".getBytes(StandardCharsets.US_ASCII);
        BDocument doc = Bencode.decodePrefix(msg);
        assertThat(doc.endOffset()).isEqualTo(msg.length - "RAWDATA".length());
    }

    @Test
    void prefixDecodingOfASubrangeReportsOffsetsWithinTheRange() {
        byte[] buf = "XXi01eYY".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Bencode.decodePrefix(buf, 2, 4, BencodeLimits.DEFAULT))
                .isInstanceOf(BencodeException.class)
                .hasMessage("invalid bencode at byte 0: leading zero in integer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "i01e        | 0 | leading zero in integer",
            "i-0e        | 0 | negative zero",
            "ie          | 0 | integer without digits",
            "i-e         | 0 | integer without digits",
            "i12         | 0 | unexpected end of input in integer",
            "i1x2e       | 2 | unexpected byte 0x78 in integer",
            "i9223372036854775808e | 0 | integer does not fit in 64 bits",
            "i-9223372036854775809e | 0 | integer does not fit in 64 bits",
            "01:a        | 0 | leading zero in string length",
            "5:abc       | 0 | string length 5 runs past the end of the input (3 bytes left)",
            "999999999999:x | 0 | string length runs past the end of the input",
            "3           | 0 | string length runs past the end of the input",
            "0           | 0 | unexpected end of input in string length",
            "l           | 1 | unexpected end of input inside a list",
            "d1:a        | 4 | unexpected end of input inside a dictionary",
            "d1:ae       | 4 | dictionary key without a value",
            "di1ei2ee    | 1 | dictionary key is not a string",
            "e           | 0 | unexpected 'e'",
            "x           | 0 | unexpected byte 0x78",
            "i1ei2e      | 3 | 3 bytes after the top-level value",
    })
    void rejectsWhatTheSpecForbidsNamingTheOffset(String input, int offset, String problem) {
        assertThatThrownBy(() -> decode(input))
                .isInstanceOfSatisfying(BencodeException.class, e -> assertThat(e.offset()).isEqualTo(offset))
                .hasMessage("invalid bencode at byte " + offset + ": " + problem);
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> decode("")).hasMessageContaining("empty input");
    }

    @Test
    void deepNestingIsRejectedWithoutRecursion() {
        String deep = "l".repeat(100_000) + "e".repeat(100_000);
        assertThatThrownBy(() -> decode(deep)).hasMessage("invalid bencode at byte 100: nesting deeper than 100");
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        String deep = "l".repeat(100) + "e".repeat(100);
        assertThat(decode(deep).tokenCount()).isEqualTo(200);
    }

    @Test
    void tokenLimitIsEnforced() {
        byte[] input = "li1ei2ei3ee".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Bencode.decode(input, new BencodeLimits(10, 3)))
                .hasMessageContaining("more than 3 values");
    }

    @Test
    void aDocumentOfExactlyMaxTokensIsAccepted() {
        byte[] input = "li1ei2ee".getBytes(StandardCharsets.US_ASCII); // l, i1e, i2e, e: 4 tokens
        assertThat(Bencode.decode(input, new BencodeLimits(10, 4)).tokenCount()).isEqualTo(4);
    }
}
