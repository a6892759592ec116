package io.rollguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.expr.Baselines;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's "done when", with the real configuration, store, baseline capture and rule engine on a stepped clock (no
 * sleeping): latency drawn from a log-normal distribution (coefficient of variation 0.5, 1% of samples 10x outliers),
 * one sample and one evaluation a second, a baseline frozen at the start, a watch window of 10 minutes, 200
 * deployments per case, each from its own fixed seed. The statistical rule, as the README writes it with the
 * defaults, against the naive one on the same data; both print their figures.
 *
 * <p>With 600 baseline samples (the default baseline_window of 10m at one sample a second) the statistics meet the
 * issue's bar. With the 60 the issue names no rule can: the baseline's own noise (sigma 0.47 over 60 samples, 0.061
 * in log space) is a third of the 20% effect (0.18), so even a test that knew the new version's distribution exactly
 * would catch about two thirds of the regressions at one false rollback in 200. The test holds the statistics to
 * staying quiet there and still catching more than a quarter of the regressions.
 */
class CanarySimulationTest {
    private static final MetricFamily LATENCY = MetricFamily.gauge("rollguard_check_duration_seconds", "simulated");
    private static final LabelSet API = LabelSet.of("check", "api");
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int WATCH_SECONDS = 600;
    private static final int DEPLOYMENTS = 200;
    static final String STATISTICAL = "regressed(check_duration_seconds{check=\"api\"}, by = 10%)";
    static final String NAIVE = "avg_over(check_duration_seconds{check=\"api\"}, 1m)"
            + " > baseline(check_duration_seconds{check=\"api\"}) * 1.1";
    private static final Duration FOR = Duration.ofSeconds(30);
    private static final String CONFIG = """
            [agent]
            interval = "1s"

            [[check]]
            name = "api"
            type = "tcp"
            port = 8080

            [[rule]]
            name = "statistical"
            when = '%s'
            for = "%s"

            [[rule]]
            name = "naive"
            when = '%s'
            for = "%s"
            """;

    @TempDir
    Path dir;

    /** How many of the deployments each rule rolled back. */
    record Outcome(int statistical, int naive) {}

    @Test
    void withTheDefaultBaselineWindowTheStatisticsMeetTheIssuesBar() throws Exception {
        Outcome unchanged = simulate(dir, 600, 1.0, 1);
        Outcome slower = simulate(dir, 600, 1.2, 2);
        report(600, unchanged, slower);

        assertThat(unchanged.statistical()).as("false rollbacks in 200 unchanged deployments").isLessThanOrEqualTo(1);
        assertThat(slower.statistical()).as("rollbacks of 200 deployments 20% slower").isGreaterThanOrEqualTo(190);
        assertThat(unchanged.naive()).as("the naive rule's false rollbacks").isGreaterThan(20);
    }

    @Test
    void withSixtyBaselineSamplesNoRuleCanReachItAndTheStatisticsStayQuiet() throws Exception {
        Outcome unchanged = simulate(dir, 60, 1.0, 3);
        Outcome slower = simulate(dir, 60, 1.2, 4);
        report(60, unchanged, slower);

        assertThat(unchanged.statistical()).as("false rollbacks in 200 unchanged deployments").isLessThanOrEqualTo(1);
        assertThat(slower.statistical()).as("rollbacks of 200 deployments 20% slower").isGreaterThan(50);
        assertThat(unchanged.naive()).as("the naive rule's false rollbacks").isGreaterThan(20);
    }

    private static void report(int baselineSamples, Outcome unchanged, Outcome slower) {
        System.out.printf(Locale.ROOT, "canary simulation, %d baseline samples, %d deployments per case, for = %s:%n"
                        + "  %-70s false rollbacks %3d, detected %3d (%.1f%%)%n"
                        + "  %-70s false rollbacks %3d, detected %3d (%.1f%%)%n",
                baselineSamples, DEPLOYMENTS, FOR,
                STATISTICAL, unchanged.statistical(), slower.statistical(), 100.0 * slower.statistical() / DEPLOYMENTS,
                NAIVE, unchanged.naive(), slower.naive(), 100.0 * slower.naive() / DEPLOYMENTS);
    }

    /** Runs 200 deployments whose latency is multiplied by {@code factor} after the start. */
    static Outcome simulate(Path dir, int baselineSamples, double factor, long seed) throws Exception {
        return simulate(dir, baselineSamples, factor, seed, STATISTICAL, FOR, WATCH_SECONDS);
    }

    static Outcome simulate(Path dir, int baselineSamples, double factor, long seed, String statistical,
            Duration forDuration, int watchSeconds) throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", String.format(Locale.ROOT, CONFIG,
                statistical, forDuration.toSeconds() + "s", NAIVE, forDuration.toSeconds() + "s"), dir));
        Duration baselineWindow = Duration.ofSeconds(baselineSamples);
        // Each deployment from its own seed, so that they can run in parallel and still be the same every run.
        List<Set<String>> outcomes = IntStream.range(0, DEPLOYMENTS).parallel().mapToObj(deployment -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + deployment);
            FakeTime time = new FakeTime();
            SeriesStore store = new SeriesStore();
            Set<String> fired = ConcurrentHashMap.newKeySet();
            RuleEngine engine = new RuleEngine(config.rules(), store, transition -> {
                if (transition.to() == RuleState.FIRING) {
                    fired.add(transition.rule().name()); // firing once in the window rolls the deployment back
                }
            }, time, TICK, baselineWindow);
            for (int i = 0; i < baselineSamples; i++) {
                time.advance(TICK);
                write(store, time.nanoTime(), latency(random, 1.0));
            }
            Baselines baselines = CapturedBaselines.capture(store.view(time.nanoTime()),
                    Deployments.baselineSelectors(config.rules()), baselineWindow).startedAt(time.nanoTime());
            for (int second = 0; second < watchSeconds && fired.size() < 2; second++) {
                time.advance(TICK);
                write(store, time.nanoTime(), latency(random, factor));
                engine.evaluate(time.nanoTime(), true, baselines);
            }
            return fired;
        }).toList();
        return new Outcome((int) outcomes.stream().filter(fired -> fired.contains("statistical")).count(),
                (int) outcomes.stream().filter(fired -> fired.contains("naive")).count());
    }

    private static void write(SeriesStore store, long now, double value) {
        store.replace("app", new SeriesWriter().put(LATENCY, API, value), now, TICK, TICK.multipliedBy(3));
    }

    /** 100 ms median, sigma 0.47 (a coefficient of variation of 0.5), 1% of samples 10 times slower. */
    static double latency(SplittableRandom random, double factor) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        double gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        double value = 0.1 * factor * Math.exp(0.47 * gaussian);
        return random.nextDouble() < 0.01 ? value * 10 : value;
    }
}
