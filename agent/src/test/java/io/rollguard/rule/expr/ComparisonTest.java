package io.rollguard.rule.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static RegressedCall call(String text) throws ExpressionException {
        return (RegressedCall) ExpressionParser.parseCondition(text);
    }

    @Test
    void theTestIsOneSidedWithTheSamplesAfterFirst() {
        // R's ?wilcox.test example: wilcox.test(x, y, alternative = "greater") gives W = 35, p-value = 0.1272.
        double[] x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
        double[] y = {1.15, 0.88, 0.90, 0.74, 1.21};

        MannWhitneyUTest.Result result = MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.GREATER_THAN)
                .test(x, y);

        assertThat(result.getStatistic()).isEqualTo(35);
        assertThat(result.getPValue()).isCloseTo(0.1272, within(0.00005));
    }

    @Test
    void theKthDifferenceIsExactlyTheBruteForceOne() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(40);
            int m = 1 + random.nextInt(40);
            // Rounded to a few values in some rounds, so that ties among samples and among differences are common.
            int grain = round % 3 == 0 ? 4 : 1_000_000;
            double[] before = sorted(random.doubles(n).map(v -> Math.round(v * grain) / (double) grain).toArray());
            double[] after = sorted(random.doubles(m).map(v -> Math.round(v * grain * 1.3) / (double) grain - 0.1)
                    .toArray());
            double[] differences = new double[n * m];
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    differences[j * n + i] = after[j] - before[i];
                }
            }
            Arrays.sort(differences);
            for (int k = 1; k <= n * m; k += 1 + random.nextInt(5)) {
                assertThat(Comparison.kthDifference(before, after, k)).as("k=%d of %d", k, n * m)
                        .isEqualTo(differences[k - 1]);
            }
            double median = differences.length % 2 == 1 ? differences[differences.length / 2]
                    : (differences[differences.length / 2 - 1] + differences[differences.length / 2]) / 2;
            assertThat(Comparison.shift(before, after, (long) n * m)).isCloseTo(median, within(1e-12));
        }
    }

    @Test
    void aClearSlowDownRegressesAndNoiseDoesNot() throws ExpressionException {
        SplittableRandom random = new SplittableRandom(11);
        double[] before = logNormal(random, 120, 0.1, 1.0);
        RegressedCall call = call("regressed(latency, by = 10%)");

        Comparison slower = Comparison.of(before, logNormal(random, 120, 0.1, 1.5), call);
        Comparison same = Comparison.of(before, logNormal(random, 120, 0.1, 1.0), call);

        assertThat(slower.regressed()).isTrue();
        assertThat(slower.p()).isLessThan(1e-6);
        assertThat(slower.effect()).isBetween(0.3, 0.7);
        assertThat(slower.shiftLow()).isLessThan(slower.shift()).isGreaterThan(0);
        assertThat(slower.shiftHigh()).isGreaterThan(slower.shift());
        assertThat(slower.baselineSamples()).isEqualTo(120);
        assertThat(slower.currentSamples()).isEqualTo(120);
        assertThat(same.regressed()).isFalse();
        assertThat(same.p()).isGreaterThan(0.01);
    }

    @Test
    void significantButSmallerThanByIsNoRegression() throws ExpressionException {
        SplittableRandom random = new SplittableRandom(3);
        double[] before = logNormal(random, 2_000, 0.1, 1.0);
        double[] after = logNormal(random, 2_000, 0.1, 1.08);

        Comparison comparison = Comparison.of(before, after, call("regressed(latency, by = 20%)"));

        assertThat(comparison.p()).isLessThan(0.01);
        assertThat(comparison.effect()).isLessThan(0.2);
        assertThat(comparison.regressed()).isFalse();
    }

    @Test
    void lowerIsWorseFlipsTheShiftAndTheTest() throws ExpressionException {
        SplittableRandom random = new SplittableRandom(5);
        double[] before = logNormal(random, 100, 0.1, 100);
        double[] after = logNormal(random, 100, 0.1, 70);

        Comparison lower = Comparison.of(before, after, call("regressed(rps, by = 10%, worse = lower)"));
        Comparison higher = Comparison.of(before, after, call("regressed(rps, by = 10%)"));

        assertThat(lower.regressed()).isTrue();
        // A 30% drop of a log-normal's scale: the median of the differences is smaller than the medians' 3.
        assertThat(lower.shift()).isBetween(1.0, 3.0);
        assertThat(lower.shiftLow()).isLessThan(lower.shift());
        assertThat(lower.shiftHigh()).isGreaterThan(lower.shift());
        assertThat(lower.effect()).isCloseTo(lower.shift() / lower.baselineMedian(), within(1e-12)).isGreaterThan(0.1);
        assertThat(higher.regressed()).isFalse();
        assertThat(higher.p()).isGreaterThan(0.99);
        assertThat(lower.u() + higher.u()).isEqualTo(100 * 100);
    }

    @Test
    void anAbsoluteByComparesTheShiftItself() throws ExpressionException {
        double[] before = new double[30];
        double[] after = new double[30];
        for (int i = 0; i < 30; i++) {
            before[i] = 0.100 + i * 0.001;
            after[i] = 0.160 + i * 0.001;
        }

        Comparison comparison = Comparison.of(before, after, call("regressed(latency, by = 50ms)"));

        assertThat(comparison.shift()).isCloseTo(0.060, within(1e-9));
        assertThat(comparison.effect()).isEqualTo(comparison.shift());
        assertThat(comparison.regressed()).isTrue();
        assertThat(comparison.baselineMedian()).isCloseTo(0.1145, within(1e-9));
        assertThat(comparison.currentMedian()).isCloseTo(0.1745, within(1e-9));
        assertThat(comparison.histogram().sparkline(true)).hasSize(16).startsWith("█");
        assertThat(comparison.histogram().sparkline(false)).hasSize(16).endsWith("█");
    }

    @Test
    void tooFewSamplesIsRefused() throws ExpressionException {
        RegressedCall call = call("regressed(latency, by = 10%)");

        assertThatThrownBy(() -> Comparison.of(new double[19], new double[40], call))
                .hasMessage("a comparison needs 20 samples on each side, got 19 and 40");
    }

    @Test
    void theRecordNamesEveryFigure() throws ExpressionException {
        SplittableRandom random = new SplittableRandom(1);
        Comparison comparison = Comparison.of(logNormal(random, 40, 0.1, 1), logNormal(random, 50, 0.1, 2),
                call("regressed(latency, by = 10%)"));

        assertThat(comparison.toMap()).containsKeys("test", "worse", "confidence", "by", "u", "p", "shift",
                "shift_interval", "effect", "baseline_median", "current_median", "baseline_samples",
                "current_samples", "baseline_sparkline", "current_sparkline", "sparkline_range");
        assertThat(comparison.describe()).matches("\\+\\d+\\.\\d% \\(p=.*, 50 samples after vs 40 before\\)");
    }

    private static double[] sorted(double[] values) {
        Arrays.sort(values);
        return values;
    }

    /** Log-normal samples of the given median, with a coefficient of variation of about 0.5 at sigma 0.47. */
    static double[] logNormal(SplittableRandom random, int count, double median, double factor) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = median * factor * Math.exp(0.47 * gaussian(random));
        }
        return values;
    }

    static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
