package io.rollguard.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ControlCharactersTest {
    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.arguments("plain text is kept", "rolled back to v41", "rolled back to v41"),
                Arguments.arguments("a tab is kept", "a\tb", "a\tb"),
                Arguments.arguments("a newline cannot start a log line",
                        "x\n2026-01-01T00:00:00Z INFO  Agent: forged", "x\\n2026-01-01T00:00:00Z INFO  Agent: forged"),
                Arguments.arguments("a carriage return", "ok\rFAIL", "ok\\rFAIL"),
                Arguments.arguments("a terminal escape", "\u001b[31mred", "\\u001b[31mred"),
                Arguments.arguments("NUL and DEL", "a\u0000b\u007f", "a\\u0000b\\u007f"),
                Arguments.arguments("C1 controls and the Unicode line separator", "a\u0085b\u2028c",
                        "a\\u0085b\\u2028c"),
                Arguments.arguments("other Unicode is kept", "déploiement ✓", "déploiement ✓"),
                Arguments.arguments("empty", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void escapesControlCharacters(String name, String text, String escaped) {
        assertThat(ControlCharacters.escape(text)).isEqualTo(escaped);
    }
}
