package io.rollguard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsoleLayoutTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(Level level, String message, Object... arguments) {
        LoggingEvent event = new LoggingEvent("test", context.getLogger("io.rollguard.schedule.SamplerRunner"),
                level, message, null, arguments);
        event.setTimeStamp(1_767_225_600_000L);
        return event;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ERROR, <3>", "WARN, <4>", "INFO, <6>", "DEBUG, <7>"})
    void underJournaldLinesCarryThePriorityAndNoTimestamp(String level, String prefix) {
        String line = new ConsoleLayout(true).doLayout(event(Level.toLevel(level), "sampler {} failing", "cpu"));

        assertThat(line).isEqualTo(prefix + String.format("%-5s", level) + " SamplerRunner: sampler cpu failing"
                + System.lineSeparator());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"INFO", "WARN"})
    void onATerminalLinesStartWithAnIsoTimestamp(String level) {
        String line = new ConsoleLayout(false).doLayout(event(Level.toLevel(level), "ready"));

        assertThat(line).isEqualTo("2026-01-01T00:00:00Z " + String.format("%-5s", level) + " SamplerRunner: ready"
                + System.lineSeparator());
    }
}
