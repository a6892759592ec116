package io.rollguard.common;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {
    static Stream<Arguments> durations() {
        return Stream.of(
                arguments("500ms", Duration.ofMillis(500)),
                arguments("30s", Duration.ofSeconds(30)),
                arguments("5m", Duration.ofMinutes(5)),
                arguments("1h", Duration.ofHours(1)),
                arguments("2d", Duration.ofDays(2)),
                arguments("1h30m", Duration.ofMinutes(90)),
                arguments("1.5s", Duration.ofMillis(1500)),
                arguments("0", Duration.ZERO),
                arguments("0s", Duration.ZERO));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durations")
    void parsesDurations(String text, Duration expected) {
        assertThat(Quantities.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "5", "5 s", "5sec", "-5s", "s", "5m3", "1h 30m", "five seconds", "5S"})
    void rejectsMalformedDurations(String text) {
        assertThatThrownBy(() -> Quantities.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration such as \"500ms\", \"30s\", \"5m\" or \"1h\", got \"" + text + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "4096, 4096",
        "512KiB, 524288",
        "10GiB, 10737418240",
        "500MB, 500000000",
        "1.5GiB, 1610612736",
        "2 TB, 2000000000000",
        "1kB, 1000",
        "7B, 7"
    })
    void parsesSizes(String text, long bytes) {
        assertThat(Quantities.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "GiB", "10gib", "10 GiBs", "-1MB", "1e3"})
    void rejectsMalformedSizes(String text) {
        assertThatThrownBy(() -> Quantities.parseSize(text))
                .hasMessage("expected a size such as \"512KiB\", \"10GiB\" or \"500MB\", got \"" + text + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"90%, 0.9", "0.9, 0.9", "0%, 0", "100%, 1", "12.5%, 0.125"})
    void parsesRatios(String text, double ratio) {
        assertThat(Quantities.parseRatio(text)).isCloseTo(ratio, org.assertj.core.data.Offset.offset(1e-12));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"150%", "1.2", "-0.1"})
    void rejectsRatiosOutsideZeroToOne(String text) {
        assertThatThrownBy(() -> Quantities.parseRatio(text)).hasMessageContaining("between 0 and 1");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"ninety", "%", "90 %x"})
    void rejectsMalformedRatios(String text) {
        assertThatThrownBy(() -> Quantities.parseRatio(text))
                .hasMessage("expected a ratio such as 0.9 or \"90%\", got \"" + text + "\"");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({"PT0S, 0s", "PT5S, 5s", "PT1M30S, 1m30s", "PT0.25S, 250ms", "PT26H, 1d2h"})
    void formatsDurationsAsWritten(Duration duration, String text) {
        assertThat(Quantities.formatDuration(duration)).isEqualTo(text);
        assertThat(Quantities.parseDuration(text)).isEqualTo(duration);
    }

    @org.junit.jupiter.api.Test
    void rejectsQuantitiesTooLargeToHoldInsteadOfWrappingAround() {
        assertThatThrownBy(() -> Quantities.parseDuration("999999999999d"))
                .hasMessage("duration \"999999999999d\" is too long: at most about 292 years");
        assertThatThrownBy(() -> Quantities.parseSize("99999999TiB"))
                .hasMessage("size \"99999999TiB\" is not a whole number of bytes below 8 EiB");
        assertThatThrownBy(() -> Quantities.parseSize("0.5B"))
                .hasMessage("size \"0.5B\" is not a whole number of bytes below 8 EiB");
    }
}
