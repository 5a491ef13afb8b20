package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FileSelectionTest {

    @Test
    void parsesIndicesAndInclusiveRangesAsBep53Writes() {
        FileSelection s = FileSelection.parse("0,2,4-6", 8);
        assertThat(s.files().stream().boxed().toList()).containsExactly(0, 2, 4, 5, 6);
        assertThat(s.priorities(Priorities.DEFAULT)).containsExactly(4, 0, 4, 0, 4, 4, 4, 0);
        assertThat(FileSelection.parse(" 7 , 3-3,1-2", 8).toString()).isEqualTo("1-3,7");
        assertThat(FileSelection.parse("007", 8).contains(7)).isTrue();
    }

    @Test
    void badListsGetOneLineReasons() {
        assertThatThrownBy(() -> FileSelection.parse("5", 5)).hasMessage("file index 5 is out of range: the torrent has 5 files (0-4)");
        assertThatThrownBy(() -> FileSelection.parse("0-9", 1)).hasMessage("file index 9 is out of range: the torrent has 1 file (index 0)");
        assertThatThrownBy(() -> FileSelection.parse("99999999999999999999", 5)).hasMessageStartingWith("file index 99999999999999999999 is out of range");
        assertThatThrownBy(() -> FileSelection.parse("a", 5)).hasMessageStartingWith("'a' is not a file index");
        assertThatThrownBy(() -> FileSelection.parse("-1", 5)).hasMessageStartingWith("'-1' is not a file index");
        assertThatThrownBy(() -> FileSelection.parse("1-2-3", 5)).hasMessageStartingWith("'2-3' is not a file index");
        assertThatThrownBy(() -> FileSelection.parse("3-1", 5)).hasMessage("range 3-1 runs backwards in file list '3-1'");
        assertThatThrownBy(() -> FileSelection.parse("1,,2", 5)).hasMessage("empty item in file list '1,,2'");
        assertThatThrownBy(() -> FileSelection.parse("1,", 5)).hasMessage("empty item in file list '1,'");
        assertThatThrownBy(() -> FileSelection.parse("", 5)).hasMessageStartingWith("empty file list");
        assertThatThrownBy(() -> FileSelection.parse("1.5", 5)).hasMessageStartingWith("'1.5' is not a file index");
        for (String bad : new String[] {"5", "a", "3-1", "", "1,,2", "x-y", "٣"}) {
            assertThatThrownBy(() -> FileSelection.parse(bad, 5)).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void syntaxAloneIsCheckedBeforeTheFileCountIsKnown() {
        assertThat(FileSelection.checkSyntax("0,2,4-6,3")).isEqualTo(6);
        assertThat(FileSelection.checkSyntax("0-999999999")).isEqualTo(999_999_999);
        assertThatThrownBy(() -> FileSelection.checkSyntax("3-1")).hasMessage("range 3-1 runs backwards in file list '3-1'");
        assertThatThrownBy(() -> FileSelection.checkSyntax("1x")).hasMessageStartingWith("'1x' is not a file index");
        assertThatThrownBy(() -> FileSelection.checkSyntax("1234567890")).hasMessage("file index 1234567890 is out of range (more than nine digits)");
    }

    @Test
    void indicesPastTheEndAreIgnoredWhereAMagnetAsks() {
        assertThat(FileSelection.parseIgnoringExtra("1,3-999999999", 5).files().stream().boxed().toList()).containsExactly(1, 3, 4);
        assertThat(FileSelection.parseIgnoringExtra("7", 5).files().isEmpty()).isTrue();
        assertThatThrownBy(() -> FileSelection.parseIgnoringExtra("a", 5)).hasMessageStartingWith("'a' is not a file index");
    }

    @Property(tries = 300)
    void printingAndParsingGiveTheSameSet(@ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 49) Integer> indices) {
        BitSet bits = new BitSet();
        indices.forEach(bits::set);
        FileSelection s = new FileSelection(bits, 50);
        if (indices.isEmpty()) return; // an empty list is not a valid selection to type
        assertThat(FileSelection.parse(s.toString(), 50).files()).isEqualTo(bits);
    }

    @Property(tries = 300)
    void anyInputParsesOrFailsWithAnIllegalArgument(@ForAll String input, @ForAll @IntRange(min = 1, max = 100) int count) {
        try {
            FileSelection s = FileSelection.parse(input, count);
            assertThat(s.files().length()).isLessThanOrEqualTo(count);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
