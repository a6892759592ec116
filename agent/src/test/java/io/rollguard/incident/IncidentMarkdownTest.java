package io.rollguard.incident;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IncidentMarkdownTest {
    /** Whatever the output holds, the fence around it is longer than any run of backticks in it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "plain text         | ```",
        "```fence inside    | ````",
        "a `` b ````` c     | ``````"})
    void aFenceIsLongerThanAnyRunOfBackticksInside(String text, String fence) {
        String block = IncidentMarkdown.fenced(text, "");

        assertThat(block).isEqualTo(fence + "\n" + text + "\n" + fence + "\n");
    }
}
