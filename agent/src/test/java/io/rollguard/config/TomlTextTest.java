package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/** What tomlj is given: blank and comment lines left out, strings as they were, lines mapped back. */
class TomlTextTest {
    @Test
    void blankAndCommentLinesAreLeftOutAndLinesMapBackToTheFile() throws ConfigException {
        TomlText text = TomlText.of("f.toml", "# head\n\n[agent]\n   # indented\n\t\ninterval = \"5s\" # kept\n\n");

        assertThat(text.text()).isEqualTo("[agent]\ninterval = \"5s\" # kept\n");
        assertThat(text.fileLine(1)).isEqualTo(3);
        assertThat(text.fileLine(2)).isEqualTo(6);
        assertThat(text.fileLine(3)).as("the end of the text is the end of the file").isEqualTo(8);
    }

    @Test
    void multiLineStringsKeepTheirBlankAndHashLines() throws ConfigException {
        String toml = """
                a = \"""
                # not a comment

                \\\""" still inside
                \"""
                b = '''

                # literal
                '''
                c = \"""x""\"""
                # a comment
                d = "one-line \\" # not a comment"
                e = 'quote " # inside'
                """;

        TomlText text = TomlText.of("f.toml", toml);
        TomlParseResult parsed = Toml.parse(text.text());

        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.getString("a")).isEqualTo("# not a comment\n\n\"\"\" still inside\n");
        assertThat(parsed.getString("b")).isEqualTo("\n# literal\n");
        assertThat(parsed.getString("c")).isEqualTo("x\"\"");
        assertThat(parsed.getString("d")).isEqualTo("one-line \" # not a comment");
        assertThat(text.text()).doesNotContain("# a comment");
        assertThat(Toml.parse(toml).toMap()).as("the same values as tomlj reads from the file").isEqualTo(parsed.toMap());
    }

    @Test
    void crlfLinesAndAControlCharacterInAComment() throws ConfigException {
        assertThat(TomlText.of("f.toml", "# one\r\n\r\na = 1\r\n").text()).isEqualTo("a = 1\r\n");
        // tomlj refuses a control character in a comment: the line stays so that it still does.
        assertThat(TomlText.of("f.toml", "# bell \u0007\na = 1\n").text()).isEqualTo("# bell \u0007\na = 1\n");
    }

    @Test
    void aPositionInsideTomljsMessageIsTheFilesLineToo() throws ConfigException {
        TomlText text = TomlText.of("f.toml", "# one\n\n# three\narr = [\n");

        String message = Toml.parse(text.text()).errors().get(0).getMessage();

        assertThat(message).contains("the array opened at line 1, column 7");
        assertThat(text.fileMessage(message)).contains("the array opened at line 4, column 7");
    }

    @Test
    void moreTokensThanTheBoundIsAPositionedProblem() {
        StringBuilder toml = new StringBuilder("# many\na = [");
        for (int i = 0; i < TomlText.MAX_TOKENS; i++) {
            toml.append("1,");
        }
        toml.append("1]\n");

        ConfigException problem = catchThrowableOfType(() -> TomlText.of("f.toml", toml.toString()),
                ConfigException.class);

        // "a" at column 1, "=" at 3, "[" at 5, then "1" at 6, "," at 7...: token 20,001 is at 6 + 19,997.
        assertThat(problem.problems()).hasSize(1);
        assertThat(problem.problems().get(0).line()).isEqualTo(2);
        assertThat(problem.problems().get(0).column()).isEqualTo(6 + TomlText.MAX_TOKENS - 3);
        assertThat(problem.getMessage()).endsWith("more than 20,000 keys, values and punctuation marks (TOML tokens): "
                + "the agent parses at most that many, room for about 1,000 rules; split out what is not needed on "
                + "this host");
    }
}
