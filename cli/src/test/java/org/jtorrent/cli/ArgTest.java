package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

class ArgTest {
    private final CommandSpec spec = CommandSpec.create();
    private final Arg<Integer> number = Arg.option(spec, Integer.class, OptionSpec.builder("--n").defaultValue("7"));
    private final Arg<String> text = Arg.option(spec, String.class, OptionSpec.builder("--text"));
    private final Arg<Boolean> flag = Arg.flag(spec, OptionSpec.builder("--f"));
    private final Arg<List<String>> repeated = Arg.repeatable(spec, OptionSpec.builder("--r"));
    private final Arg<Path> path = Arg.positional(spec, Path.class, PositionalParamSpec.builder().arity("0..1"));

    @Test
    void leftOutTheyTakeTheirDefaults() {
        new CommandLine(spec).parseArgs();
        assertThat(number.get()).isEqualTo(7);
        assertThat(text.get()).isNull();
        assertThat(flag.get()).isFalse();
        assertThat(repeated.get()).isEmpty();
        assertThat(path.get()).isNull();
    }

    @Test
    void givenTheyReadAsTheirOwnType() {
        new CommandLine(spec).parseArgs("--n", "9", "--text", "t", "--f", "--r", "b", "--r", "a", "x/y");
        assertThat(number.get()).isEqualTo(9);
        assertThat(text.get()).isEqualTo("t");
        assertThat(flag.get()).isTrue();
        assertThat(repeated.get()).containsExactly("b", "a");
        assertThat(path.get()).isEqualTo(Path.of("x/y"));
    }

    @Test
    void aValueOfTheWrongTypeIsAParseError() {
        assertThatThrownBy(() -> new CommandLine(spec).parseArgs("--n", "many"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'many' is not an int");
    }
}
