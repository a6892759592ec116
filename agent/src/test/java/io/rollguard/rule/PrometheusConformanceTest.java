package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.common.Quantities;
import io.rollguard.config.RuleConfig;
import io.rollguard.rule.expr.ExpressionException;
import io.rollguard.rule.expr.ExpressionParser;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cases of Prometheus' own tests ({@code promql/promqltest/testdata/*.test}, {@code rules/alerting_test.go} of
 * prometheus/prometheus), translated into rule expressions and run through a {@link SeriesStore}, the
 * {@link RuleEngine} and its evaluator as the agent wires them: one producer whose every read is one step of the
 * test's {@code load} (a {@code _} or {@code stale} sample is a series missing from that read, NaN too), fresh for
 * three of its periods as a source's reads are, the engine evaluated at the case's time.
 *
 * <p>Each row cites its file and case. Where rollguard's answer is not Prometheus' the row says why; each such reason
 * is a deliberate difference the README documents (Configuration, {@code [[rule]]}): NaN is no data, and an instant
 * selector's series is stale after three periods of its producer rather than Prometheus' five-minute lookback.
 */
class PrometheusConformanceTest {
    private static final String NAN_IS_NO_DATA = "NaN is no data: the element is left out, the rule is unknown";
    private static final String STALE_AFTER_THREE_PERIODS =
            "an instant selector's series is stale after three periods of its producer, not after 5 minutes";

    /**
     * One {@code eval instant}: the expression rollguard runs for the PromQL one, what Prometheus answers, and what
     * rollguard answers when it differs (with why), as {@code {labels} value; ...}, an empty text for no result.
     */
    record Case(String source, String load, String at, String expression, String prometheus, String rollguard,
            String why) {
        @Override
        public String toString() {
            return source;
        }
    }

    static Case same(String source, String load, String at, String expression, String prometheus) {
        return new Case(source, load, at, expression, prometheus, prometheus, "");
    }

    static Case differs(String source, String load, String at, String expression, String prometheus,
            String rollguard, String why) {
        return new Case(source, load, at, expression, prometheus, rollguard, why);
    }

    private static final String INCREASE = """
            load 5m
              http_requests_total{path="/foo"} 0+10x10
              http_requests_total{path="/bar"} 0+18x5 0+18x5
              http_requests_total{path="/dings"} 10+10x10
              http_requests_total{path="/bumms"} 1+10x10
            """;
    private static final String RATE = """
            load 5m
              testcounter_reset_middle_total 0+27x4 0+27x5
              testcounter_reset_end_total 0+10x9 0 10
              calculate_rate_window_total 0+80x10
            """;
    private static final String ZERO_CUTOFF = """
            load 4m
              testcounter_zero_cutoff_total{start="0m"} 0+240x10
              testcounter_zero_cutoff_total{start="1m"} 60+240x10
              testcounter_zero_cutoff_total{start="2m"} 120+240x10
              testcounter_zero_cutoff_total{start="3m"} 180+240x10
              testcounter_zero_cutoff_total{start="4m"} 240+240x10
              testcounter_zero_cutoff_total{start="5m"} 300+240x10
            """;
    private static final String DERIV = """
            load 5m
              testcounter_reset_middle_total 0+10x4 0+10x5
              http_requests_total{job="app-server", instance="1", group="canary"} 0+80x10
              http_requests_inf{job="app-server", instance="1", group="canary"} -Inf 0+80x10 Inf
            """;
    private static final String OVER_TIME = """
            load 10s
              metric 1 2 3 4 5
              metric2 1 2 3 4 Inf
              metric3 1 2 3 4 -Inf
              metric4 1 2 3 Inf -Inf
              metric5 Inf 0 Inf
              metric7 1 2 -Inf -Inf Inf
              metric8 9.988465674311579e+307 9.988465674311579e+307
              metric10 -9.988465674311579e+307 9.988465674311579e+307
              metric11 1 2 3 NaN NaN
            """;
    private static final String STALENESS = """
            load 10s
              metric 0 1 stale 2
            """;
    private static final String AGGREGATORS = """
            load 5m
              http_requests{job="api-server", instance="0", group="production"} 0+10x10
              http_requests{job="api-server", instance="1", group="production"} 0+20x10
              http_requests{job="api-server", instance="0", group="canary"} 0+30x10
              http_requests{job="api-server", instance="1", group="canary"} 0+40x10
              http_requests{job="app-server", instance="0", group="production"} 0+50x10
              http_requests{job="app-server", instance="1", group="production"} 0+60x10
              http_requests{job="app-server", instance="0", group="canary"} 0+70x10
              http_requests{job="app-server", instance="1", group="canary"} 0+80x10
            """;
    // Evaluated at 20 s where the case says 1m: each series has one sample, at 0 s, which Prometheus' five-minute
    // lookback still sees at 1m and rollguard's three periods of 10 s (the staleness rows) no longer do.
    private static final String AVERAGES = """
            load 10s
              data{test="ten", point="a"} 8
              data{test="ten", point="b"} 10
              data{test="ten", point="c"} 12
              data{test="inf", point="a"} 0
              data{test="inf", point="b"} Inf
              data{test="inf", point="d"} Inf
              data{test="inf", point="c"} 0
              data{test="-inf", point="a"} -Inf
              data{test="-inf", point="b"} -Inf
              data{test="-inf", point="c"} 0
              data{test="nan", point="a"} -Inf
              data{test="nan", point="b"} 0
              data{test="nan", point="c"} Inf
              data{test="big", point="a"} 9.988465674311579e+307
              data{test="big", point="b"} 9.988465674311579e+307
              data{test="big", point="c"} 9.988465674311579e+307
              data{test="big", point="d"} 9.988465674311579e+307
              data{test="bigzero", point="a"} -9.988465674311579e+307
              data{test="bigzero", point="b"} -9.988465674311579e+307
              data{test="bigzero", point="c"} 9.988465674311579e+307
              data{test="bigzero", point="d"} 9.988465674311579e+307
            """;
    private static final String COMPARISONS = """
            load 6m
              left_floats 1 2 _ _ 3 stale 4 5 NaN Inf -Inf
            """;

    static Stream<Case> cases() {
        return Stream.of(
                same("functions.test: \"eval instant at 50m increase(http_requests_total[50m])\"", INCREASE, "50m",
                        "increase(http_requests_total, 50m)",
                        "{path=\"/foo\"} 100; {path=\"/bar\"} 160; {path=\"/dings\"} 100; {path=\"/bumms\"} 100"),
                same("functions.test: \"eval instant at 50m increase(http_requests_total[100m])\"", INCREASE, "50m",
                        "increase(http_requests_total, 100m)",
                        "{path=\"/foo\"} 100; {path=\"/bar\"} 162; {path=\"/dings\"} 105; {path=\"/bumms\"} 101"),
                same("functions.test: \"eval instant at 30m increase(http_requests_total[30m])\" (counter reset)", """
                        load 5m
                          http_requests_total{path="/foo"} 0 1 2 3 2 3 4
                        """, "30m", "increase(http_requests_total, 30m)", "{path=\"/foo\"} 7"),
                same("functions.test: \"eval instant at 50m rate(testcounter_reset_middle_total[50m])\"", RATE, "50m",
                        "rate(testcounter_reset_middle_total, 50m)", "{} 0.08"),
                same("functions.test: \"eval instant at 50m rate(testcounter_reset_end_total[5m])\"", RATE, "50m",
                        "rate(testcounter_reset_end_total, 5m)", ""),
                same("functions.test: \"eval instant at 50m rate(testcounter_reset_end_total[6m])\"", RATE, "50m",
                        "rate(testcounter_reset_end_total, 6m)", "{} 0"),
                same("functions.test: \"eval instant at 50m rate(calculate_rate_window_total[50m])\"", RATE, "50m",
                        "rate(calculate_rate_window_total, 50m)", "{} 0.26666666666666666"),
                same("functions.test: \"eval instant at 10m rate(testcounter_zero_cutoff_total[20m])\"", ZERO_CUTOFF,
                        "10m", "rate(testcounter_zero_cutoff_total, 20m)",
                        "{start=\"0m\"} 0.5; {start=\"1m\"} 0.55; {start=\"2m\"} 0.6; {start=\"3m\"} 0.6;"
                                + " {start=\"4m\"} 0.6; {start=\"5m\"} 0.6"),
                same("functions.test: \"eval instant at 50m rate(testcounter_zero_cutoff_total[20m])\"", ZERO_CUTOFF,
                        "50m", "rate(testcounter_zero_cutoff_total, 20m)",
                        "{start=\"0m\"} 0.6; {start=\"1m\"} 0.6; {start=\"2m\"} 0.6; {start=\"3m\"} 0.6;"
                                + " {start=\"4m\"} 0.6; {start=\"5m\"} 0.6"),
                same("functions.test: \"eval instant at 20m delta(http_requests[20m])\"", """
                        load 5m
                          http_requests{path="/foo"} 0 50 100 150 200
                          http_requests{path="/bar"} 200 150 100 50 0
                        """, "20m", "delta(http_requests, 20m)", "{path=\"/foo\"} 200; {path=\"/bar\"} -200"),
                same("functions.test: \"eval instant at 50m rate(http_requests_total{group=\"canary\", instance=\"1\","
                        + " job=\"app-server\"}[50m])\"", DERIV, "50m",
                        "rate(http_requests_total{group=\"canary\", instance=\"1\", job=\"app-server\"}, 50m)",
                        "{group=\"canary\", instance=\"1\", job=\"app-server\"} 0.26666666666666666"),
                same("functions.test: \"eval instant at 50m deriv(http_requests_total{group=\"canary\", instance=\"1\","
                        + " job=\"app-server\"}[50m])\"", DERIV, "50m",
                        "slope(http_requests_total{group=\"canary\", instance=\"1\", job=\"app-server\"}, 50m)",
                        "{group=\"canary\", instance=\"1\", job=\"app-server\"} 0.26666666666666666"),
                same("functions.test: \"eval instant at 50m deriv(testcounter_reset_middle_total[100m])\"", DERIV,
                        "50m", "slope(testcounter_reset_middle_total, 100m)", "{} 0.010606060606060607"),
                differs("functions.test: \"eval instant at 100m deriv(http_requests_inf[100m])\"", DERIV, "100m",
                        "slope(http_requests_inf, 100m)", "{group=\"canary\", instance=\"1\", job=\"app-server\"} NaN",
                        "", NAN_IS_NO_DATA),
                same("functions.test: \"eval instant at 50m predict_linear(testcounter_reset_middle_total[50m],"
                        + " 3600)\"", DERIV, "50m", "predict(testcounter_reset_middle_total, 50m, 1h)", "{} 70"),
                differs("functions.test: \"eval instant at 100m predict_linear(http_requests_inf[100m], 6000)\"",
                        DERIV, "100m", "predict(http_requests_inf, 100m, 100m)",
                        "{group=\"canary\", instance=\"1\", job=\"app-server\"} NaN", "", NAN_IS_NO_DATA),
                same("functions.test: \"eval instant at 50m predict_linear(http_requests_total[50m], 3600) -"
                        + " (http_requests_total + deriv(http_requests_total[50m]) * 3600)\"", DERIV, "50m",
                        "predict(http_requests_total, 50m, 1h) - (http_requests_total + slope(http_requests_total, 50m)"
                                + " * 3600)",
                        "{group=\"canary\", instance=\"1\", job=\"app-server\"} 0"),
                same("functions.test: \"eval instant at 55s avg_over_time(metric[10s])\" (no samples in the range)",
                        OVER_TIME, "55s", "avg_over(metric, 10s)", ""),
                same("functions.test: \"eval instant at 55s avg_over_time(metric[20s])\"", OVER_TIME, "55s",
                        "avg_over(metric, 20s)", "{} 5"),
                same("functions.test: \"eval instant at 55s avg_over_time(metric[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric, 1m)", "{} 3"),
                same("functions.test: \"eval instant at 55s sum_over_time(metric[1m])/count_over_time(metric[1m])\"",
                        OVER_TIME, "55s", "sum_over(metric, 1m) / count_over(metric, 1m)", "{} 3"),
                same("functions.test: \"eval instant at 55s avg_over_time(metric2[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric2, 1m)", "{} +Inf"),
                same("functions.test: \"eval instant at 55s avg_over_time(metric3[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric3, 1m)", "{} -Inf"),
                differs("functions.test: \"eval instant at 55s avg_over_time(metric4[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric4, 1m)", "{} NaN", "", NAN_IS_NO_DATA),
                same("functions.test: \"eval instant at 55s avg_over_time(metric5[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric5, 1m)", "{} +Inf"),
                differs("functions.test: \"eval instant at 55s avg_over_time(metric7[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric7, 1m)", "{} NaN", "", NAN_IS_NO_DATA),
                same("functions.test: \"eval instant at 55s avg_over_time(metric8[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric8, 1m)", "{} 9.988465674311579e+307"),
                same("functions.test: \"eval instant at 55s sum_over_time(metric8[1m])/count_over_time(metric8[1m])\""
                        + " (overflows)", OVER_TIME, "55s", "sum_over(metric8, 1m) / count_over(metric8, 1m)",
                        "{} +Inf"),
                same("functions.test: \"eval instant at 55s avg_over_time(metric10[1m])\"", OVER_TIME, "55s",
                        "avg_over(metric10, 1m)", "{} 0"),
                same("functions.test: \"eval instant at 20s avg_over_time(metric11[1m])\"", OVER_TIME, "20s",
                        "avg_over(metric11, 1m)", "{} 2"),
                differs("functions.test: \"eval instant at 30s avg_over_time(metric11[1m])\"", OVER_TIME, "30s",
                        "avg_over(metric11, 1m)", "{} NaN", "{} 2",
                        NAN_IS_NO_DATA + ": a NaN sample is a missing one, so the average is over 1, 2, 3"),
                same("functions.test: \"eval instant at 1m sum_over_time(metric[2m])\" (1 1e100 1 -1e100)", """
                        load 10s
                          metric 1 1e100 1 -1e100
                        """, "1m", "sum_over(metric, 2m)", "{} 2"),
                same("functions.test: \"eval instant at 1m avg_over_time(metric[2m])\" (1 1e100 1 -1e100)", """
                        load 10s
                          metric 1 1e100 1 -1e100
                        """, "1m", "avg_over(metric, 2m)", "{} 0.5"),
                same("staleness.test: \"eval instant at 10s metric\"", STALENESS, "10s", "metric", "{} 1"),
                same("staleness.test: \"eval instant at 20s metric\" (stale)", STALENESS, "20s", "metric", ""),
                same("staleness.test: \"eval instant at 30s metric\"", STALENESS, "30s", "metric", "{} 2"),
                same("staleness.test: \"eval instant at 40s metric\"", STALENESS, "40s", "metric", "{} 2"),
                differs("staleness.test: \"eval instant at 329s metric\"", STALENESS, "329s", "metric", "{} 2", "",
                        STALE_AFTER_THREE_PERIODS),
                same("staleness.test: \"eval instant at 30s count_over_time(metric[1m])\" (range ignores stale)",
                        STALENESS, "30s", "count_over(metric, 1m)", "{} 3"),
                same("staleness.test: \"eval instant at 10s count_over_time(metric[1s])\"", STALENESS, "10s",
                        "count_over(metric, 1s)", "{} 1"),
                same("staleness.test: \"eval instant at 20s count_over_time(metric[10s])\"", STALENESS, "20s",
                        "count_over(metric, 10s)", ""),
                same("staleness.test: \"eval instant at 20s count_over_time(metric[20s])\"", STALENESS, "20s",
                        "count_over(metric, 20s)", "{} 1"),
                same("aggregators.test: \"eval instant at 50m sum by (group) (http_requests{job=\"api-server\"})\"",
                        AGGREGATORS, "50m", "sum(http_requests{job=\"api-server\"}) by (group)",
                        "{group=\"canary\"} 700; {group=\"production\"} 300"),
                same("aggregators.test: \"eval instant at 50m avg by (group) (http_requests{job=\"api-server\"})\"",
                        AGGREGATORS, "50m", "avg(http_requests{job=\"api-server\"}) by (group)",
                        "{group=\"canary\"} 350; {group=\"production\"} 150"),
                same("aggregators.test: \"eval instant at 50m count by (group) (http_requests{job=\"api-server\"})\"",
                        AGGREGATORS, "50m", "count(http_requests{job=\"api-server\"}) by (group)",
                        "{group=\"canary\"} 2; {group=\"production\"} 2"),
                same("aggregators.test: \"eval instant at 50m sum(http_requests) by (job) + min(http_requests) by (job)"
                        + " + max(http_requests) by (job) + avg(http_requests) by (job)\"", AGGREGATORS, "50m",
                        "sum(http_requests) by (job) + min(http_requests) by (job) + max(http_requests) by (job)"
                                + " + avg(http_requests) by (job)",
                        "{job=\"app-server\"} 4550; {job=\"api-server\"} 1750"),
                same("aggregators.test: \"eval instant at 1m avg(data{test=\"ten\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"ten\"})", "{} 10"),
                same("aggregators.test: \"eval instant at 1m avg(data{test=\"inf\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"inf\"})", "{} +Inf"),
                same("aggregators.test: \"eval instant at 1m avg(data{test=\"-inf\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"-inf\"})", "{} -Inf"),
                differs("aggregators.test: \"eval instant at 1m avg(data{test=\"nan\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"nan\"})", "{} NaN", "", NAN_IS_NO_DATA),
                same("aggregators.test: \"eval instant at 1m avg(data{test=\"big\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"big\"})", "{} 9.988465674311579e+307"),
                same("aggregators.test: \"eval instant at 1m avg(data{test=\"bigzero\"})\"", AVERAGES, "20s",
                        "avg(data{test=\"bigzero\"})", "{} 0"),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats > 3\" at 36m", COMPARISONS,
                        "36m", "left_floats > 3", "{} 4"),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats > 3\" at 54m (+Inf)",
                        COMPARISONS, "54m", "left_floats > 3", "{} +Inf"),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats > 3\" at 60m (-Inf)",
                        COMPARISONS, "60m", "left_floats > 3", ""),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats < 3\" at 60m (-Inf)",
                        COMPARISONS, "60m", "left_floats < 3", "{} -Inf"),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats == Inf\" at 54m", COMPARISONS,
                        "54m", "left_floats == 1 / 0", "{} +Inf"),
                same("operators.test: \"eval range from 0 to 60m step 6m left_floats <= 3\" at 30m (stale)",
                        COMPARISONS, "30m", "left_floats <= 3", ""),
                differs("operators.test: \"eval range from 0 to 60m step 6m left_floats != 3\" at 48m (NaN)",
                        COMPARISONS, "48m", "left_floats != 3", "{} NaN", "", NAN_IS_NO_DATA),
                // The issue's cases (issue 16), with the answer Prometheus gives for the same samples.
                same("issue 16, item 1: increase(x_total[10m]) over 0 10 20 _ 5 15 (Prometheus: 35)", """
                        load 1m
                          x_total 0 10 20 _ 5 15
                        """, "5m", "increase(x_total, 10m)", "{} 35"),
                same("issue 16, item 1: the same counter reset across a gap of two reads (Prometheus: 45)", """
                        load 1m
                          x_total 0 10 20 _ _ 5 15 25
                        """, "7m", "increase(x_total, 10m)", "{} 45"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithPrometheus(Case row) throws ExpressionException {
        Map<String, Double> actual = evaluate(row);

        assertThat(matches(actual, parse(row.rollguard())))
                .as("%s%nexpected %s%n     got %s", row.expression(), row.rollguard(), actual).isTrue();
        assertThat(row.prometheus().equals(row.rollguard()) || !row.why().isEmpty())
                .as("a difference from Prometheus needs its documented reason").isTrue();
    }

    /**
     * One {@code rules/alerting_test.go} (or operators.test, as a rule) case: a rule evaluated at every step of the
     * load, and its state after each.
     */
    record AlertCase(String source, String load, String when, String forDuration, String clearFor,
            List<String> states) {
        @Override
        public String toString() {
            return source;
        }
    }

    static Stream<Arguments> alerts() {
        return Stream.of(
                arguments(new AlertCase("alerting_test.go: TestKeepFiringFor (for 1m, keep_firing_for 1m = clear_for)",
                        """
                        load 1m
                          http_requests{job="app-server", instance="0"} 75 85 70 70 10x5
                        """, "http_requests > 50", "1m", "1m",
                        List.of("pending", "firing", "firing", "firing", "firing", "inactive"))),
                arguments(new AlertCase("alerting_test.go: TestPendingAndKeepFiringFor (a pending alert does not"
                        + " keep firing)", """
                        load 1m
                          http_requests{job="app-server", instance="0"} 75 10x10
                        """, "http_requests > 50", "1m", "1m", List.of("pending", "inactive"))),
                arguments(new AlertCase("operators.test: \"left_floats > 3\" keeps +Inf (issue 16, item 2: a +Inf"
                        + " gauge fires x > 100)", """
                        load 1m
                          x 1 Inf Inf -Inf
                        """, "x > 100", "1m", "0s", List.of("inactive", "pending", "firing", "inactive"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alerts")
    void alertsAsPrometheus(AlertCase row) throws ExpressionException {
        Load load = Load.parse(row.load());
        FakeTime time = new FakeTime();
        SeriesStore store = new SeriesStore();
        RuleEngine engine = engine(row.when(), Quantities.parseDuration(row.forDuration()),
                Quantities.parseDuration(row.clearFor()), store, time, load.step());

        List<String> states = new ArrayList<>();
        for (int step = 0; step < row.states().size(); step++) {
            load.write(store, step, time.nanoTime());
            engine.evaluate(time.nanoTime(), false);
            states.add(engine.statuses().get(0).state().label());
            time.advance(load.step());
        }

        assertThat(states).isEqualTo(row.states());
    }

    private static Map<String, Double> evaluate(Case row) throws ExpressionException {
        Load load = Load.parse(row.load());
        FakeTime time = new FakeTime();
        SeriesStore store = new SeriesStore();
        // A comparison filters as in PromQL: what holds fires, with its left side as the rule's value. A number is
        // compared with itself, which holds for every number and gives no verdict for NaN (no data).
        String when = isCondition(row.expression()) ? row.expression()
                : "(" + row.expression() + ") == (" + row.expression() + ")";
        RuleEngine engine = engine(when, Duration.ZERO, Duration.ZERO, store, time, load.step());
        long start = time.nanoTime();
        long at = Quantities.parseDuration(row.at()).toNanos();
        for (int step = 0; step < load.steps() && step * load.step().toNanos() <= at; step++) {
            time.advance(Duration.ofNanos(start + step * load.step().toNanos() - time.nanoTime()));
            load.write(store, step, time.nanoTime());
        }
        time.advance(Duration.ofNanos(start + at - time.nanoTime()));
        engine.evaluate(time.nanoTime(), false);

        Map<String, Double> values = new TreeMap<>();
        for (RuleStatus.Instance instance : engine.statuses().get(0).instances()) {
            if (instance.state() == RuleState.FIRING) {
                values.put(instance.labels().toString(), instance.value());
            }
        }
        return values;
    }

    private static boolean isCondition(String expression) {
        try {
            ExpressionParser.parseCondition(expression);
            return true;
        } catch (ExpressionException e) {
            return false;
        }
    }

    private static RuleEngine engine(String when, Duration forDuration, Duration clearFor, SeriesStore store,
            FakeTime time, Duration step) throws ExpressionException {
        RuleConfig rule = new RuleConfig("conformance", when, ExpressionParser.parseCondition(when), forDuration,
                clearFor, RuleConfig.Severity.WARNING, List.of(), Duration.ofMinutes(1), RuleConfig.Scope.ALWAYS,
                false, "", RuleConfig.Source.LOCAL, RuleConfig.DEFAULT_RESOLVE_AFTER);
        return new RuleEngine(List.of(rule), store, transition -> {}, time, step);
    }

    /** As promqltest compares: equal label sets, values equal to a relative 1e-6, NaN equal to NaN. */
    private static boolean matches(Map<String, Double> actual, Map<String, Double> expected) {
        if (!actual.keySet().equals(expected.keySet())) {
            return false;
        }
        for (Map.Entry<String, Double> entry : expected.entrySet()) {
            double want = entry.getValue();
            double got = actual.get(entry.getKey());
            boolean equal = Double.isNaN(want) ? Double.isNaN(got)
                    : want == got || Math.abs(want - got) <= 1e-6 * Math.max(Math.abs(want), Math.abs(got));
            if (!equal) {
                return false;
            }
        }
        return true;
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    /** {@code {a="b"} 1; {} 2} to label set text and value. */
    private static Map<String, Double> parse(String expected) {
        Map<String, Double> values = new TreeMap<>();
        if (expected.isBlank()) {
            return values;
        }
        for (String element : expected.split(";")) {
            String trimmed = element.trim();
            int close = trimmed.indexOf('}');
            values.put(labels(trimmed.substring(0, close + 1)).toString(), number(trimmed.substring(close + 1).trim()));
        }
        return values;
    }

    private static LabelSet labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher matcher = LABEL.matcher(text);
        while (matcher.find()) {
            labels.put(matcher.group(1), matcher.group(2));
        }
        return LabelSet.of(labels);
    }

    private static double number(String text) {
        return switch (text) {
            case "Inf", "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /**
     * A promqltest {@code load} block: its step and each series' values, one per step, null where the series has no
     * sample ({@code _}, {@code stale}). Expanding notation: {@code a+bxn} is a, a+b, ... a+n*b; {@code axn} is a
     * repeated n+1 times.
     */
    record Load(Duration step, List<LoadedSeries> series) {
        static Load parse(String text) {
            String[] lines = text.strip().split("\n");
            Duration step = Quantities.parseDuration(lines[0].trim().substring("load ".length()).trim());
            List<LoadedSeries> series = new ArrayList<>();
            Pattern line = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(.*)");
            for (int i = 1; i < lines.length; i++) {
                Matcher matcher = line.matcher(lines[i].trim());
                if (!matcher.matches()) {
                    throw new IllegalArgumentException("not a load line: " + lines[i]);
                }
                LabelSet labels = matcher.group(2) == null ? LabelSet.EMPTY : labels(matcher.group(2));
                List<Double> values = new ArrayList<>();
                for (String token : matcher.group(3).trim().split("\\s+")) {
                    expand(token, values);
                }
                series.add(new LoadedSeries(MetricFamily.gauge(matcher.group(1), "Conformance."), labels, values));
            }
            return new Load(step, series);
        }

        private static void expand(String token, List<Double> values) {
            if (token.equals("_") || token.equals("stale")) {
                values.add(null);
                return;
            }
            int times = token.lastIndexOf('x');
            if (times < 0) {
                values.add(number(token));
                return;
            }
            String start = token.substring(0, times);
            int count = Integer.parseInt(token.substring(times + 1));
            double from;
            double increment = 0;
            int sign = Math.max(start.lastIndexOf('+'), start.lastIndexOf('-'));
            if (sign > 0 && start.charAt(sign - 1) != 'e') {
                from = number(start.substring(0, sign));
                increment = number(start.substring(sign));
            } else {
                from = number(start);
            }
            for (int i = 0; i <= count; i++) {
                values.add(from + i * increment);
            }
        }

        int steps() {
            return series.stream().mapToInt(one -> one.values().size()).max().orElse(0);
        }

        /** One read of the producer: every series with a number at step {@code index}; NaN and gaps are left out. */
        void write(SeriesStore store, int index, long nowNanos) {
            SeriesWriter writer = new SeriesWriter();
            for (LoadedSeries one : series) {
                if (index < one.values().size() && one.values().get(index) != null) {
                    writer.put(one.family(), one.labels(), one.values().get(index));
                }
            }
            store.replace("source:conformance", writer, nowNanos, step, step.multipliedBy(3));
        }
    }

    /** One series of a load block, its value at each step, null for none. */
    record LoadedSeries(MetricFamily family, LabelSet labels, List<Double> values) {}
}
