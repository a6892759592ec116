package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.journal.JournalEvent;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Transitions become rule_* events with their decision record, on disk before anything acts on them. */
class TransitionJournalTest {
    static Stream<Arguments> transitions() {
        return Stream.of(
                arguments("pending, with a value and a window", RuleState.INACTIVE, RuleState.PENDING, 0.93, 0.9,
                        new Basis(Duration.ofMinutes(1), 12), "rule_pending", 0.93, 0.9, 60.0, 12L),
                arguments("firing", RuleState.PENDING, RuleState.FIRING, 0.95, 0.9, Basis.LATEST, "rule_firing", 0.95,
                        0.9, 0.0, 1L),
                arguments("unknown: no value is null", RuleState.PENDING, RuleState.UNKNOWN, Double.NaN, 0.9,
                        Basis.NONE, "rule_unknown", null, 0.9, 0.0, 0L),
                arguments("an infinite value is null too", RuleState.FIRING, RuleState.INACTIVE,
                        Double.POSITIVE_INFINITY, Double.NaN, Basis.LATEST, "rule_inactive", null, null, 0.0, 1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void journalsTheTransitionWithItsDecisionRecord(String name, RuleState from, RuleState to, double value,
            double threshold, Basis basis, String kind, Double journaledValue, Double journaledThreshold,
            double windowSeconds, long samples) throws Exception {
        RecordingJournal journal = new RecordingJournal();
        TransitionJournal transitions = new TransitionJournal(new EventLog(journal));

        long id = transitions.record(new RuleTransition(rule(), LabelSet.of("mount", "/data"), from, to, "why",
                value, threshold, basis, Instant.EPOCH, 0));

        Event event = journal.events().get(0);
        assertThat(id).isEqualTo(event.id());
        assertThat(event.kind()).isEqualTo(kind);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", "disk-full");
        fields.put("labels", Map.of("mount", "/data"));
        fields.put("from", from.label());
        fields.put("to", to.label());
        fields.put("reason", "why");
        fields.put("value", journaledValue);
        fields.put("threshold", journaledThreshold);
        fields.put("window_seconds", windowSeconds);
        fields.put("samples", samples);
        fields.put("condition", "filesystem_used_ratio > 90%");
        fields.put("severity", "critical");
        assertThat(event.fields()).isEqualTo(fields);
        assertThat(JournalEvent.read(event)).isInstanceOf(JournalEvent.RuleChanged.class);
    }

    @Test
    void aJournalThatCannotWriteKeepsTheEventAndTheTransitionGoesOn() throws Exception {
        RecordingJournal journal = new RecordingJournal();
        journal.failing(true);
        TransitionJournal transitions = new TransitionJournal(new EventLog(journal));

        long id = transitions.record(new RuleTransition(rule(), LabelSet.EMPTY, RuleState.PENDING, RuleState.FIRING,
                "held", 1, 0, Basis.NONE, Instant.EPOCH, 0));

        assertThat(id).as("the id it has in memory").isEqualTo(1);
        assertThat(journal.failures()).isEqualTo(1);
    }

    /** The log line of a regressed(...) firing says what its value is: the effect, the p-value, both sides' counts. */
    @Test
    void aRegressedFiringLogsItsStatistics() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(Responder.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            double[] before = new double[30];
            double[] after = new double[25];
            for (int i = 0; i < 30; i++) {
                before[i] = 0.1 + i / 1000.0;
            }
            for (int i = 0; i < 25; i++) {
                after[i] = 0.2 + i / 1000.0;
            }
            io.rollguard.rule.expr.Comparison comparison = io.rollguard.rule.expr.Comparison.of(before, after,
                    (io.rollguard.rule.expr.RegressedCall) io.rollguard.rule.expr.ExpressionParser.parseCondition(
                            "regressed(x, by = 10%)"));
            new TransitionJournal(new EventLog(new RecordingJournal())).record(new RuleTransition(rule(),
                    LabelSet.EMPTY, RuleState.PENDING, RuleState.FIRING, "held", comparison.effect(), 0.1,
                    Basis.NONE, Instant.EPOCH, 0, comparison));
        } finally {
            logger.detachAppender(lines);
        }

        assertThat(lines.list).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                .matches("rule \\S+ pending -> firing: held \\(value 0\\.8\\d+, threshold 0\\.1000; \\+8\\d\\.\\d%"
                        + " \\(p=.*, 25 samples after vs 30 before\\)\\)"));
    }

    static Stream<Arguments> numbers() {
        return Stream.of(arguments(3.0, "3"), arguments(0.95, "0.9500"), arguments(-2.0, "-2"),
                arguments(1e20, "1.000e+20"), arguments(0.000123456, "0.0001235"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("numbers")
    void valuesAreWrittenForAPerson(double value, String shown) {
        assertThat(TransitionJournal.number(value)).isEqualTo(shown);
    }

    private static io.rollguard.config.RuleConfig rule() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                severity = "critical"
                """, Path.of("/tmp")));
        return config.rules().get(0);
    }
}
