package io.rollguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleTransition;
import io.rollguard.rule.expr.Baselines;
import io.rollguard.rule.expr.ExpressionParser;
import io.rollguard.rule.expr.Selector;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample sets a start freezes for {@code regressed(...)}: sorted, bounded per series and per deployment, kept in
 * state.json but only counted by the API, and compared with the samples after the start only.
 */
class CapturedSampleSetsTest {
    private static final MetricFamily DURATION = MetricFamily.gauge("rollguard_check_duration_seconds", "test");
    private static final String API = "check_duration_seconds{check=\"api\"}";
    private static final Duration PERIOD = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();

    private void write(String check, double value) {
        store.replace("test", new SeriesWriter().put(DURATION, LabelSet.of("check", check), value), time.nanoTime(),
                PERIOD, PERIOD.multipliedBy(3));
        time.advance(PERIOD);
    }

    private static Selector selector(String text) throws Exception {
        return (Selector) ExpressionParser.parse(text);
    }

    @Test
    void aStartFreezesTheWindowsSamplesSortedAndTheApiOnlyCountsThem() throws Exception {
        store.track("rollguard_check_duration_seconds", Duration.ofMinutes(10));
        double[] written = new double[30];
        for (int i = 0; i < written.length; i++) {
            written[i] = 0.1 + (i * 7 % 11) / 100.0;
            write("api", written[i]);
        }

        CapturedBaselines captured = CapturedBaselines.capture(store.view(time.nanoTime()), List.of(selector(API)),
                Duration.ofMinutes(10));

        double[] sorted = written.clone();
        Arrays.sort(sorted);
        assertThat(captured.samples()).singleElement().satisfies(set -> {
            assertThat(set.selector()).isEqualTo(API);
            assertThat(set.labels()).isEqualTo(LabelSet.of("check", "api"));
            assertThat(set.values()).containsExactly(sorted);
        });
        assertThat(captured.sampleSets(API).get(LabelSet.of("check", "api"))).containsExactly(sorted);
        Map<String, Object> shown = new LinkedHashMap<>();
        captured.putInto(shown, false);
        assertThat(shown.get("baseline_samples")).isEqualTo(List.of(Map.of("selector", API,
                "labels", Map.of("check", "api"), "count", 30)));
        Map<String, Object> kept = new LinkedHashMap<>();
        captured.putInto(kept, true);
        assertThat(CapturedBaselines.from(kept)).as("state.json's copy reads back the same").isEqualTo(captured);
        assertThat(CapturedBaselines.from(shown).samples()).as("the API's copy has no samples to read").isEmpty();
        assertThat(captured.withoutSamples().samples()).isEmpty();
        assertThat(captured.withoutSamples().values()).isEqualTo(captured.values());
    }

    @Test
    void aSeriesKeepsItsNewestThousandAndADeploymentTenThousandInAll() throws Exception {
        store.track("rollguard_check_duration_seconds", Duration.ofMinutes(30));
        for (int i = 0; i < 1_500; i++) {
            SeriesWriter writer = new SeriesWriter();
            for (int series = 0; series < 12; series++) {
                writer.put(DURATION, LabelSet.of("check", "c" + series), i);
            }
            store.replace("test", writer, time.nanoTime(), PERIOD, PERIOD.multipliedBy(3));
            time.advance(PERIOD);
        }

        CapturedBaselines captured = CapturedBaselines.capture(store.view(time.nanoTime()),
                List.of(selector("check_duration_seconds")), Duration.ofMinutes(30));

        assertThat(captured.samples()).hasSize(10);
        assertThat(captured.samples()).allSatisfy(set -> {
            assertThat(set.values()).hasSize(CapturedBaselines.MAX_SERIES_SAMPLES);
            assertThat(set.values()[0]).as("the newest: 500 to 1499").isEqualTo(500);
        });
        assertThat(captured.values()).as("every series still has its average").hasSize(12);
    }

    @Test
    void regressedComparesTheSamplesAfterTheStartOnlyAndFiresOnASlowdown() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [agent]
                interval = "1s"
                [[check]]
                name = "api"
                type = "tcp"
                port = 8080
                [[rule]]
                name = "slower"
                when = 'regressed(check_duration_seconds{check="api"}, by = 50%, window = 5m)'
                """, dir));
        List<RuleTransition> transitions = new ArrayList<>();
        RuleEngine engine = new RuleEngine(config.rules(), store, transitions::add, time, PERIOD,
                Duration.ofMinutes(1));
        for (int i = 0; i < 60; i++) {
            write("api", 0.1 + (i % 5) / 100.0);
            engine.evaluate(time.nanoTime(), true, Baselines.NONE);
        }
        assertThat(engine.statuses().get(0).instances().get(0).state()).as("no deployment, no data")
                .isEqualTo(RuleState.UNKNOWN);
        Baselines baselines = CapturedBaselines.capture(store.view(time.nanoTime()),
                Deployments.baselineSelectors(config.rules()), Duration.ofMinutes(1)).startedAt(time.nanoTime());

        write("api", 0.3); // at the start's own moment: not after it, so not the new version's
        engine.evaluate(time.nanoTime(), true, baselines);
        for (int i = 0; i < 19; i++) {
            write("api", 0.3 + (i % 5) / 100.0);
            engine.evaluate(time.nanoTime(), true, baselines);
        }
        assertThat(transitions).as("19 samples after the start: still too few").noneMatch(
                t -> t.to() == RuleState.FIRING);
        write("api", 0.3);
        engine.evaluate(time.nanoTime(), true, baselines);

        RuleTransition fired = transitions.get(transitions.size() - 1);
        assertThat(fired.to()).isEqualTo(RuleState.FIRING);
        assertThat(fired.comparison()).isNotNull();
        assertThat(fired.comparison().currentSamples()).as("the 5m window holds older samples; only the 20 after"
                + " the start count").isEqualTo(20);
        assertThat(fired.comparison().baselineSamples()).as("the window (start - 1m, start]: the first of the 60 is"
                + " a minute old, outside it").isEqualTo(59);
        assertThat(fired.value()).as("the effect: about 200% slower").isGreaterThan(1.5);
        assertThat(fired.threshold()).isEqualTo(0.5);
    }
}
