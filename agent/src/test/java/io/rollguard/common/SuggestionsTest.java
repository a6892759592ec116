package io.rollguard.common;


import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("interval", "state_dir", "log_level");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "intreval, interval",
        "interva, interval",
        "statedir, state_dir",
        "log-level, log_level",
        "loglevel, log_level",
        "colour, ''",
        "x, ''"
    })
    void suggestsTheClosestKnownWord(String typo, String expected) {
        assertThat(Suggestions.closest(typo, KEYS).orElse("")).isEqualTo(expected);
    }
}
