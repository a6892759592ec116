package io.rollguard.rule.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.common.Quantities;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluatorTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration STALE_AFTER = Duration.ofSeconds(3);

    private static final MetricFamily MEMORY = MetricFamily.gauge("rollguard_memory_used_ratio", "Test.");
    private static final MetricFamily UPTIME = MetricFamily.gauge("rollguard_uptime_seconds", "Test.");
    private static final MetricFamily FS_USED = MetricFamily.gauge("rollguard_filesystem_used_ratio", "Test.");
    private static final MetricFamily FS_SIZE = MetricFamily.gauge("rollguard_filesystem_size_bytes", "Test.");
    private static final MetricFamily CHECK_UP = MetricFamily.gauge("rollguard_check_up", "Test.");
    private static final MetricFamily REQUESTS = MetricFamily.counter("http_requests_total", "Test.");
    private static final MetricFamily SHADOWED = MetricFamily.gauge("shadowed", "Test.");
    private static final MetricFamily SHADOWED_PREFIXED = MetricFamily.gauge("rollguard_shadowed", "Test.");
    private static final MetricFamily LOAD = MetricFamily.gauge("rollguard_load", "Test.");
    private static final MetricFamily COUNTER = MetricFamily.counter("rollguard_events_total", "Test.");

    private final SeriesStore store = new SeriesStore();
    private final Evaluator evaluator = new Evaluator();
    private long now = 100 * SECOND;

    private void fillInstantSeries() {
        store.replace("sampler:memory", new SeriesWriter().put(MEMORY, 0.93).put(UPTIME, 400), now, PERIOD,
                STALE_AFTER);
        store.replace("sampler:filesystem", new SeriesWriter()
                .put(FS_USED, LabelSet.of("mount", "/"), 0.95)
                .put(FS_USED, LabelSet.of("mount", "/data"), 0.5)
                .put(FS_SIZE, LabelSet.of("mount", "/"), 100L << 30)
                .put(FS_SIZE, LabelSet.of("mount", "/data"), 1L << 40), now, PERIOD, STALE_AFTER);
        store.replace("check:api", new SeriesWriter().put(CHECK_UP, LabelSet.of("check", "api"), 1), now, PERIOD,
                STALE_AFTER);
        store.replace("check:db", new SeriesWriter().put(CHECK_UP, LabelSet.of("check", "db"), 0), now, PERIOD,
                STALE_AFTER);
        store.replace("scrape:app", new SeriesWriter()
                .put(REQUESTS, LabelSet.of("status", "200"), 900)
                .put(REQUESTS, LabelSet.of("status", "500"), 100)
                .put(SHADOWED, 1)
                .put(SHADOWED_PREFIXED, 2), now, PERIOD, STALE_AFTER);
    }

    /** Expression, and its result: one line per label set, sorted, as "labels value" or "labels holds value threshold [decided by]". */
    static Stream<Arguments> instant() {
        return Stream.of(
                arguments("memory_used_ratio > 90%", "{} true 0.93 0.9 [memory_used_ratio > 90%]"),
                arguments("rollguard_memory_used_ratio > 0.95", "{} false 0.93 0.95 [rollguard_memory_used_ratio > 0.95]"),
                arguments("90% < memory_used_ratio", "{} true 0.9 0.93 [90% < memory_used_ratio]"),
                arguments("uptime_seconds > 5m", "{} true 400 300 [uptime_seconds > 5m]"),
                arguments("filesystem_size_bytes{mount=\"/\"} >= 100GiB", "{mount=\"/\"} true 107374182400 107374182400"
                        + " [filesystem_size_bytes{mount=\"/\"} >= 100GiB]"),
                arguments("filesystem_used_ratio > 90%", "{mount=\"/\"} true 0.95 0.9 [filesystem_used_ratio > 90%];"
                        + " {mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("filesystem_used_ratio{mount=\"/\"}", "{mount=\"/\"} 0.95"),
                arguments("filesystem_used_ratio{mount!=\"/\"}", "{mount=\"/data\"} 0.5"),
                arguments("filesystem_used_ratio{mount=~\"/d.*\"}", "{mount=\"/data\"} 0.5"),
                arguments("filesystem_used_ratio{mount=~\"/d\"}", ""),
                arguments("filesystem_used_ratio{mount!~\"/.+\"}", "{mount=\"/\"} 0.95"),
                arguments("filesystem_used_ratio{fstype=\"\"}", "{mount=\"/\"} 0.95; {mount=\"/data\"} 0.5"),
                arguments("filesystem_used_ratio{fstype!=\"\"}", ""),
                arguments("http_requests_total{status=\"500\"}", "{status=\"500\"} 100"),
                arguments("rollguard_http_requests_total", ""),
                arguments("shadowed", "{} 1"),
                arguments("rollguard_shadowed", "{} 2"),
                arguments("no_such_series > 1", ""),
                arguments("1 + 2 * 3", "{} 7"),
                arguments("(1 + 2) * 3 - 10 / 4", "{} 6.5"),
                arguments("-memory_used_ratio", "{} -0.93"),
                arguments("1h + 30s", "{} 3630"),
                arguments("1 > 2", "{} false 1 2 [1 > 2]"),
                arguments("0 / 0 > 1", ""),
                arguments("memory_used_ratio / 0 > 1", "{} true Infinity 1 [memory_used_ratio / 0 > 1]"),
                arguments("filesystem_used_ratio * filesystem_size_bytes",
                        "{mount=\"/\"} 102005473280; {mount=\"/data\"} 549755813888"),
                arguments("filesystem_used_ratio * 2", "{mount=\"/\"} 1.9; {mount=\"/data\"} 1"),
                arguments("1 - filesystem_used_ratio", "{mount=\"/\"} 0.05; {mount=\"/data\"} 0.5"),
                arguments("filesystem_used_ratio + check_up", ""),
                arguments("filesystem_used_ratio + memory_used_ratio", ""),
                arguments("sum(filesystem_size_bytes)", "{} 1206885810176"),
                arguments("sum(filesystem_size_bytes) by (mount)",
                        "{mount=\"/\"} 107374182400; {mount=\"/data\"} 1099511627776"),
                arguments("sum(filesystem_size_bytes) by (fstype)", "{} 1206885810176"),
                arguments("avg(filesystem_used_ratio)", "{} 0.725"),
                arguments("min(filesystem_used_ratio)", "{} 0.5"),
                arguments("max(filesystem_used_ratio)", "{} 0.95"),
                arguments("count(check_up)", "{} 2"),
                arguments("count(check_up) by (check)", "{check=\"api\"} 1; {check=\"db\"} 1"),
                arguments("sum(no_such_series)", ""),
                arguments("sum(http_requests_total{status=~\"5..\"}) / sum(http_requests_total) > 5%",
                        "{} true 0.1 0.05 [sum(http_requests_total{status=~\"5..\"}) / sum(http_requests_total) > 5%]"),
                arguments("not filesystem_used_ratio > 90%", "{mount=\"/\"} false 0.95 0.9 [filesystem_used_ratio > 90%];"
                        + " {mount=\"/data\"} true 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("check_up{check=\"api\"} == 0 or check_up{check=\"db\"} == 0",
                        "{check=\"api\"} false 1 0 [check_up{check=\"api\"} == 0];"
                                + " {check=\"db\"} true 0 0 [check_up{check=\"db\"} == 0]"),
                arguments("filesystem_used_ratio > 90% and filesystem_used_ratio < 99%",
                        "{mount=\"/\"} true 0.95 0.9 [filesystem_used_ratio > 90%];"
                                + " {mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("filesystem_used_ratio < 99% and filesystem_used_ratio > 90%",
                        "{mount=\"/\"} true 0.95 0.99 [filesystem_used_ratio < 99%];"
                                + " {mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("filesystem_used_ratio > 99% or filesystem_used_ratio > 90%",
                        "{mount=\"/\"} true 0.95 0.9 [filesystem_used_ratio > 90%];"
                                + " {mount=\"/data\"} false 0.5 0.99 [filesystem_used_ratio > 99%]"),
                arguments("1 > 0 and filesystem_used_ratio > 90%", "{mount=\"/\"} true 1 0 [1 > 0];"
                        + " {mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("filesystem_used_ratio > 90% or 1 > 2", "{mount=\"/\"} true 0.95 0.9 [filesystem_used_ratio >"
                        + " 90%]; {mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("1 > 2 or 2 > 1", "{} true 2 1 [2 > 1]"),
                arguments("0 / 0 > 1 or filesystem_used_ratio > 90%",
                        "{mount=\"/\"} true 0.95 0.9 [filesystem_used_ratio > 90%]"),
                arguments("memory_used_ratio > 90% and no_such_series > 1", ""),
                arguments("memory_used_ratio > 95% and no_such_series > 1", "{} false 0.93 0.95 [memory_used_ratio > 95%]"),
                arguments("no_such_series > 1 and memory_used_ratio > 95%", "{} false 0.93 0.95 [memory_used_ratio > 95%]"),
                arguments("memory_used_ratio > 90% or no_such_series > 1", "{} true 0.93 0.9 [memory_used_ratio > 90%]"),
                arguments("memory_used_ratio > 95% or no_such_series > 1", "{} false 0.93 0.95 [memory_used_ratio > 95%]"),
                arguments("memory_used_ratio > 90% and filesystem_used_ratio > 90%",
                        "{mount=\"/data\"} false 0.5 0.9 [filesystem_used_ratio > 90%]"),
                arguments("absent(process_up{process=\"backend\"})",
                        "{process=\"backend\"} true 1 NaN [absent(process_up{process=\"backend\"})]"),
                arguments("absent(check_up{check=\"api\"})", "{check=\"api\"} false 0 NaN [absent(check_up{check=\"api\"})]"),
                arguments("absent(check_up{check=~\"a.*\"})", "{} false 0 NaN [absent(check_up{check=~\"a.*\"})]"),
                arguments("not absent(process_up{process=\"backend\"})",
                        "{process=\"backend\"} false 1 NaN [absent(process_up{process=\"backend\"})]"),
                arguments("absent(process_up) or memory_used_ratio > 95%", "{} true 1 NaN [absent(process_up)]"),
                // Without a deployment's captured baselines a baseline is no data, never a number.
                arguments("baseline(memory_used_ratio)", ""),
                arguments("memory_used_ratio > 1.2 * baseline(memory_used_ratio)", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("instant")
    void evaluatesInstantExpressions(String expression, String expected) throws ExpressionException {
        fillInstantSeries();

        assertThat(format(evaluator.evaluate(ExpressionParser.parse(expression), store.view(now)), false))
                .isEqualTo(expected);
    }

    private void feed(MetricFamily family, LabelSet labels, double... values) {
        for (double value : values) {
            now += SECOND;
            store.replace("sampler:" + family.name(), new SeriesWriter().put(family, labels, value), now, PERIOD,
                    STALE_AFTER);
        }
    }

    /** Expression over load 1, 2, 3, 4, 10 and a counter 0, 10, 20, 5 (reset), 15, one sample a second. */
    static Stream<Arguments> windowed() {
        return Stream.of(
                arguments("avg_over(load, 1m)", "{} 4 (1m, 5 samples)"),
                arguments("min_over(load, 1m)", "{} 1 (1m, 5 samples)"),
                arguments("max_over(load, 1m)", "{} 10 (1m, 5 samples)"),
                arguments("sum_over(load, 1m)", "{} 20 (1m, 5 samples)"),
                arguments("count_over(load, 1m)", "{} 5 (1m, 5 samples)"),
                arguments("avg_over(load, 2s)", "{} 7 (2s, 2 samples)"),
                arguments("avg_over(load, 1s)", "{} 10 (1s, 1 samples)"),
                arguments("avg_over(load, 500ms)", "{} 10 (500ms, 1 samples)"),
                arguments("avg_over(load{host=\"other\"}, 1m)", ""),
                arguments("slope(load, 1m)", "{} 2 (1m, 5 samples)"),
                arguments("slope(load, 1s)", ""),
                // The least-squares line through 1, 2, 3, 4, 10 at -4 s .. now: 8 now, 2 a second more.
                arguments("predict(load, 1m, 0s)", "{} 8 (1m, 5 samples)"),
                arguments("predict(load, 1m, 10s)", "{} 28 (1m, 5 samples)"),
                arguments("predict(load, 1s, 10s)", ""),
                // 3, 4, 10 a second apart, 1 s after the window's start: extrapolated to it, 7 x (2 + 1) / 2.
                arguments("delta(load, 3s)", "{} 10.5 (3s, 3 samples)"),
                arguments("quantile_over(0.5, load, 1m)", "{} 3 (1m, 5 samples)"),
                arguments("quantile_over(0.9, load, 1m)", "{} 7.6 (1m, 5 samples)"),
                arguments("quantile_over(0, load, 1m)", "{} 1 (1m, 5 samples)"),
                arguments("quantile_over(1, load, 1m)", "{} 10 (1m, 5 samples)"),
                arguments("quantile_over(0.5, load, 1s)", "{} 10 (1s, 1 samples)"),
                // From 0, so not extrapolated back past its start (the zero cutoff); per second of the window.
                arguments("increase(events_total, 1m)", "{} 35 (1m, 5 samples)"),
                arguments("rate(events_total, 1m)", "{} 0.583333333333333 (1m, 5 samples)"),
                // A gauge: half an average interval beyond its first sample, 15 x 4.5 / 4.
                arguments("delta(events_total, 1m)", "{} 16.875 (1m, 5 samples)"),
                // 5 -> 15 over 1 s, 1 s after the window's start; the zero point is 0.5 s before 5: 10 x 1.5 / 1.
                arguments("increase(events_total, 2s)", "{} 15 (2s, 2 samples)"),
                arguments("rate(events_total, 1s)", ""),
                arguments("increase(events_total, 1s)", ""),
                arguments("delta(events_total, 1s)", ""),
                arguments("avg_over(load, 1m) > 3", "{} true 4 3 (1m, 5 samples)"),
                arguments("avg_over(load, 1m) > max_over(load, 2s)", "{} false 4 10 (1m, 7 samples)"),
                arguments("sum(rate(events_total, 1m))", "{} 0.583333333333333 (1m, 5 samples)"),
                // Tracked from its producer's next run on: history starts then, and the basis says how thin it is.
                arguments("avg_over(memory_used_ratio, 1m)", "{} 0.5 (1m, 1 samples)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windowed")
    void evaluatesWindowedFunctions(String expression, String expected) throws ExpressionException {
        Expr expr = ExpressionParser.parse(expression);
        HistoryWindows.of(expr).forEach(store::track);
        feed(LOAD, LabelSet.EMPTY, 1, 2, 3, 4, 10);
        now -= 5 * SECOND;
        feed(COUNTER, LabelSet.EMPTY, 0, 10, 20, 5, 15);
        store.replace("sampler:memory", new SeriesWriter().put(MEMORY, 0.5), now, PERIOD, STALE_AFTER);

        assertThat(format(evaluator.evaluate(expr, store.view(now)), true)).isEqualTo(expected);
    }

    @Test
    void aBaselinePairsOneToOneWithTheFrozenValuesOfEachLabelSet() throws ExpressionException {
        fillInstantSeries();
        Expr condition = ExpressionParser.parseCondition("check_up > 0.5 * baseline(check_up)");
        Baselines baselines = selector -> selector.equals("check_up")
                ? List.of(new Vector.Element(LabelSet.of("check", "api"), 1, new Basis(Duration.ofMinutes(10), 60)),
                        new Vector.Element(LabelSet.of("check", "db"), 1, new Basis(Duration.ofMinutes(10), 60)),
                        new Vector.Element(LabelSet.of("check", "gone"), 1, new Basis(Duration.ofMinutes(10), 60)))
                : List.of();

        List<Verdict> verdicts = evaluator.evaluateCondition(condition, store.view(now), baselines);

        assertThat(verdicts).extracting(v -> v.labels() + " " + v.holds() + " " + v.threshold())
                .containsExactlyInAnyOrder("{check=\"api\"} true 0.5", "{check=\"db\"} false 0.5");
        assertThat(evaluator.evaluateCondition(condition, store.view(now), Baselines.NONE)).isEmpty();
        assertThat(evaluator.evaluateCondition(
                ExpressionParser.parseCondition("check_up > baseline(check_up{check=\"api\"})"), store.view(now),
                baselines)).as("looked up by the selector's own text").isEmpty();
    }

    @Test
    void anUntrackedSeriesHasNoHistory() throws ExpressionException {
        feed(LOAD, LabelSet.EMPTY, 1, 2, 3);

        assertThat(evaluator.evaluate(ExpressionParser.parse("avg_over(load, 1m)"), store.view(now)))
                .isEqualTo(new Vector(List.of(), false));
    }

    @Test
    void staleSeriesAreMissingData() throws ExpressionException {
        store.track("load", Duration.ofMinutes(1));
        feed(LOAD, LabelSet.EMPTY, 1, 2, 3);
        Expr instant = ExpressionParser.parseCondition("load > 0");
        Expr windowed = ExpressionParser.parseCondition("avg_over(load, 1m) > 0");
        Expr absent = ExpressionParser.parseCondition("absent(load)");

        long fresh = now + STALE_AFTER.toNanos();
        assertThat(evaluator.evaluateCondition(instant, store.view(fresh))).hasSize(1);
        assertThat(evaluator.evaluateCondition(windowed, store.view(fresh))).hasSize(1);
        assertThat(evaluator.evaluateCondition(absent, store.view(fresh))).extracting(Verdict::holds)
                .containsExactly(false);

        long stale = fresh + 1;
        assertThat(evaluator.evaluateCondition(instant, store.view(stale))).as("stale is no data, not false").isEmpty();
        assertThat(evaluator.evaluateCondition(windowed, store.view(stale)))
                .as("range functions read the samples still in their window, as Prometheus ignores staleness there")
                .hasSize(1);
        long pastTheWindow = now + Duration.ofMinutes(1).toNanos();
        assertThat(evaluator.evaluateCondition(windowed, store.view(pastTheWindow))).isEmpty();
        assertThat(evaluator.evaluateCondition(absent, store.view(stale))).extracting(Verdict::holds)
                .containsExactly(true);
    }

    @Test
    void aCounterResetCountsTheValueAfterItAsGrowth() throws ExpressionException {
        store.track("events_total", Duration.ofMinutes(1));
        feed(COUNTER, LabelSet.EMPTY, 100, 110, 3, 8, 2);

        // 10 before the first restart, 3 after it, 5 more, then 2 after the second restart: 20 over 4 s, extrapolated
        // by half an average interval towards the window's start, 20 x 4.5 / 4.
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("increase(events_total, 1m)"), store.view(now)),
                true)).isEqualTo("{} 22.5 (1m, 5 samples)");
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("rate(events_total, 1m)"), store.view(now)),
                true)).isEqualTo("{} 0.375 (1m, 5 samples)");
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("delta(events_total, 1m)"), store.view(now)),
                true)).as("delta is for gauges: no reset handling").isEqualTo("{} -110.25 (1m, 5 samples)");
    }

    @Test
    void windowedFunctionsEvaluatePerSeriesAndAggregateByLabel() throws ExpressionException {
        store.track("http_requests_total", Duration.ofMinutes(2));
        long start = now;
        for (int second = 1; second <= 10; second++) {
            store.replace("scrape:app", new SeriesWriter()
                    .put(REQUESTS, LabelSet.of("status", "200", "path", "/a"), 10.0 * second)
                    .put(REQUESTS, LabelSet.of("status", "200", "path", "/b"), 5.0 * second)
                    .put(REQUESTS, LabelSet.of("status", "500", "path", "/a"), 1.0 * second),
                    start + second * SECOND, PERIOD, STALE_AFTER);
        }
        now = start + 10 * SECOND;
        String errorRatio = "sum(increase(http_requests_total{status=~\"5..\"}, 2m))"
                + " / sum(increase(http_requests_total, 2m)) > 5%";

        // Each counter from 1 s on, extrapolated half a second before its first sample: growth x 9.5 / 9.
        assertThat(format(evaluator.evaluate(
                ExpressionParser.parse("sum(increase(http_requests_total, 2m)) by (status)"), store.view(now)), true))
                .isEqualTo("{status=\"200\"} 142.5 (2m, 20 samples); {status=\"500\"} 9.5 (2m, 10 samples)");
        assertThat(format(evaluator.evaluate(ExpressionParser.parseCondition(errorRatio), store.view(now)), true))
                .isEqualTo("{} true 0.0625 0.05 (2m, 40 samples)");
    }

    @Test
    void sumOverAndAvgOverCompensateForLostDigits() throws ExpressionException {
        store.track("load", Duration.ofMinutes(1));
        feed(LOAD, LabelSet.EMPTY, 1, 1e100, 1, -1e100);

        // Prometheus' sum_over_time and avg_over_time over these give 2 and 0.5; plain summation 0 and 0.
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("sum_over(load, 1m)"), store.view(now)), false))
                .isEqualTo("{} 2");
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("avg_over(load, 1m)"), store.view(now)), false))
                .isEqualTo("{} 0.5");
    }

    @Test
    void sumAndAvgAcrossSeriesCompensateToo() throws ExpressionException {
        double[] values = {1, 1e100, 1, -1e100};
        SeriesWriter writer = new SeriesWriter();
        for (int i = 0; i < values.length; i++) {
            writer.put(LOAD, LabelSet.of("cpu", Integer.toString(i)), values[i]);
        }
        store.replace("sampler:load", writer, now, PERIOD, STALE_AFTER);

        assertThat(format(evaluator.evaluate(ExpressionParser.parse("sum(load)"), store.view(now)), false))
                .isEqualTo("{} 2");
        assertThat(format(evaluator.evaluate(ExpressionParser.parse("avg(load)"), store.view(now)), false))
                .isEqualTo("{} 0.5");
    }

    /** Expression over load{x="up"} = +Inf, load{x="down"} = -Inf and load{x="one"} = 1, instant. */
    static Stream<Arguments> infinities() {
        return Stream.of(
                arguments("load{x=\"up\"} > 100", "{x=\"up\"} true Infinity 100"),
                arguments("load{x=\"down\"} < -100", "{x=\"down\"} true -Infinity -100"),
                arguments("load{x=\"up\"} == load{x=\"up\"}", "{x=\"up\"} true Infinity Infinity"),
                arguments("max(load)", "{} Infinity"),
                arguments("min(load)", "{} -Infinity"),
                arguments("sum(load{x!=\"down\"})", "{} Infinity"),
                arguments("avg(load{x!=\"down\"})", "{} Infinity"),
                // +Inf + -Inf is NaN, as in Prometheus; a comparison with it gives no verdict (no data).
                arguments("sum(load)", "{} NaN"),
                arguments("sum(load) > 0", ""),
                arguments("max_over(load{x=\"up\"}, 1m)", "{x=\"up\"} Infinity"),
                arguments("sum_over(load{x=\"up\"}, 1m)", "{x=\"up\"} Infinity"),
                arguments("avg_over(load{x=\"down\"}, 1m)", "{x=\"down\"} -Infinity"),
                arguments("load{x=\"one\"} / 0", "{x=\"one\"} Infinity"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("infinities")
    void theInfinitiesAreValues(String expression, String expected) throws ExpressionException {
        store.track("load", Duration.ofMinutes(1));
        store.replace("sampler:load", new SeriesWriter()
                .put(LOAD, LabelSet.of("x", "up"), Double.POSITIVE_INFINITY)
                .put(LOAD, LabelSet.of("x", "down"), Double.NEGATIVE_INFINITY)
                .put(LOAD, LabelSet.of("x", "one"), 1), now, PERIOD, STALE_AFTER);
        Expr expr = ExpressionParser.parse(expression);
        Value value = evaluator.evaluate(expr, store.view(now));

        String actual = format(value, false);
        if (value instanceof Verdicts) { // drop the decided-by part, which the expression says
            actual = actual.replaceAll(" \\[.*?\\]", "");
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void evaluateConditionRejectsNumbers() throws ExpressionException {
        Expr number = ExpressionParser.parse("memory_used_ratio");

        assertThatThrownBy(() -> evaluator.evaluateCondition(number, store.view(now)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a condition: memory_used_ratio");
    }

    private static String format(Value value, boolean withBasis) {
        if (value instanceof Vector) {
            return ((Vector) value).elements().stream()
                    .map(e -> e.labels() + " " + number(e.value()) + (withBasis ? basis(e.basis()) : ""))
                    .sorted()
                    .collect(Collectors.joining("; "));
        }
        List<Verdict> verdicts = ((Verdicts) value).verdicts();
        return verdicts.stream()
                .map(v -> v.labels() + " " + v.holds() + " " + number(v.value()) + " " + number(v.threshold())
                        + (withBasis ? basis(v.basis()) : " [" + ExpressionPrinter.print(v.decidedBy()) + "]"))
                .sorted()
                .collect(Collectors.joining("; "));
    }

    private static String basis(Basis basis) {
        return " (" + Quantities.formatDuration(basis.window()) + ", " + basis.samples()
                + " samples)";
    }

    /** Fifteen significant digits: all of a byte count, none of the binary rounding of 1 - 0.95. */
    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).round(new MathContext(15)).stripTrailingZeros().toPlainString();
    }
}
