package io.rollguard.rule.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The windowed functions against plain reference formulas, over random samples one second apart. */
class EvaluatorPropertyTest {
    private static final long SECOND = 1_000_000_000L;
    private static final MetricFamily GAUGE = MetricFamily.gauge("rollguard_value", "Test.");

    @Property(seed = "20261122")
    void quantileOverInterpolatesBetweenSortedRanks(
            @ForAll @Size(min = 1, max = 400) List<@DoubleRange(min = -1e6, max = 1e6) Double> values,
            @ForAll @DoubleRange(min = 0, max = 1) double quantile) throws ExpressionException {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double rank = quantile * (sorted.length - 1);
        int lower = (int) Math.floor(rank);
        int upper = (int) Math.ceil(rank);
        double expected = sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);

        double actual =
                evaluate("quantile_over(" + BigDecimal.valueOf(quantile).toPlainString() + ", value, 1h)", values);

        assertThat(actual).isCloseTo(expected, within(1e-6));
    }

    @Property(seed = "20261122")
    void increaseIsLastMinusFirstPlusEveryValueBeforeAReset(
            @ForAll @Size(min = 2, max = 400) List<@DoubleRange(min = 0, max = 1e6) Double> values)
            throws ExpressionException {
        double expected = values.get(values.size() - 1) - values.get(0);
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) < values.get(i - 1)) {
                expected += values.get(i - 1);
            }
        }

        // The samples end at the evaluation and start far from the window's start: extrapolated by half a second
        // (one second apart), or less where the counter would have been 0 (the zero cutoff).
        double seconds = values.size() - 1;
        double toStart = expected > 0 ? Math.min(0.5, seconds * values.get(0) / expected) : 0.5;
        double extrapolated = expected * (seconds + toStart) / seconds;

        assertThat(evaluate("increase(value, 1h)", values)).isCloseTo(extrapolated, within(1e-3));
        assertThat(evaluate("rate(value, 1h)", values)).isCloseTo(extrapolated / 3600, within(1e-6));
    }

    @Property(seed = "20261122")
    void minMaxSumCountAndAverageOverAgreeWithStreams(
            @ForAll @Size(min = 1, max = 400) List<@DoubleRange(min = -1e6, max = 1e6) Double> values)
            throws ExpressionException {
        double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();

        assertThat(evaluate("min_over(value, 1h)", values)).isEqualTo(Arrays.stream(array).min().orElseThrow());
        assertThat(evaluate("max_over(value, 1h)", values)).isEqualTo(Arrays.stream(array).max().orElseThrow());
        assertThat(evaluate("sum_over(value, 1h)", values)).isCloseTo(Arrays.stream(array).sum(), within(1e-3));
        assertThat(evaluate("avg_over(value, 1h)", values))
                .isCloseTo(Arrays.stream(array).average().orElseThrow(), within(1e-3));
        assertThat(evaluate("count_over(value, 1h)", values)).isEqualTo(values.size());
    }

    @Property(seed = "20261122")
    void slopeOfALineIsItsGradient(@ForAll @DoubleRange(min = -1e3, max = 1e3) double gradient,
            @ForAll @DoubleRange(min = -1e3, max = 1e3) double offset, @ForAll @IntRange(min = 2, max = 300) int count)
            throws ExpressionException {
        List<Double> line = new ArrayList<>();
        for (int second = 0; second < count; second++) {
            line.add(offset + gradient * second);
        }

        assertThat(evaluate("slope(value, 1h)", line)).isCloseTo(gradient, within(1e-6));
    }

    /** Feeds the values one second apart into a fresh store and evaluates at the last one. */
    private static double evaluate(String expression, List<Double> values) throws ExpressionException {
        SeriesStore store = new SeriesStore();
        Expr expr = ExpressionParser.parse(expression);
        HistoryWindows.of(expr).forEach(store::track);
        long now = 0;
        for (double value : values) {
            now += SECOND;
            store.replace("test", new SeriesWriter().put(GAUGE, LabelSet.EMPTY, value), now, Duration.ofSeconds(1),
                    Duration.ofSeconds(3));
        }
        Vector result = (Vector) new Evaluator().evaluate(expr, store.view(now));
        assertThat(result.elements()).hasSize(1);
        return result.elements().get(0).value();
    }
}
