package io.rollguard.rule.expr;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

/**
 * Whether a series' samples since a deployment started are worse than the samples frozen before it, as Kayenta's
 * canary judge decides it: a one-sided Mann-Whitney U test (commons-statistics), and the Hodges-Lehmann estimate of
 * the shift between the two (the median of every difference between a sample after and a sample before) with its
 * confidence interval. Rank-based, so a few 10x outliers move neither much, and the noise of a distribution is
 * judged rather than the coin toss of two averages near a threshold.
 *
 * <p>Made at every tick for every series a {@code regressed(...)} reads, so what only a record needs (the interval,
 * the histogram) is computed when first asked for. Immutable; the interval and histogram are computed once, by
 * whichever thread asks first, to the same values.
 */
public final class Comparison {

    /** The fewest samples on each side before a comparison is made: fewer is no data, and the rule is unknown. */
    public static final int MIN_SAMPLES = 20;

    private static final MannWhitneyUTest HIGHER_IS_WORSE =
            MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.GREATER_THAN);
    private static final MannWhitneyUTest LOWER_IS_WORSE =
            MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.LESS_THAN);

    private final double shift;
    private final double effect;
    private final double baselineMedian;
    private final double currentMedian;
    private final RegressedCall call;
    private final double[] before;
    private final double[] after;
    private volatile double[] test; // {U, p}
    private volatile double[] interval;
    private volatile Histogram histogram;

    private Comparison(double shift, double effect, double baselineMedian, double currentMedian, RegressedCall call,
            double[] before, double[] after) {
        this.shift = shift;
        this.effect = effect;
        this.baselineMedian = baselineMedian;
        this.currentMedian = currentMedian;
        this.call = call;
        this.before = before;
        this.after = after;
    }

    /** The U statistic of the samples after: the number of pairs in which the sample after is the worse. */
    public double u() {
        return test()[0];
    }

    /** The one-sided p-value of "the samples after are not worse". */
    public double p() {
        return test()[1];
    }

    private double[] test() {
        double[] made = test;
        if (made == null) {
            boolean higherIsWorse = call.worse() == RegressedCall.Worse.HIGHER;
            MannWhitneyUTest.Result result = (higherIsWorse ? HIGHER_IS_WORSE : LOWER_IS_WORSE).test(after, before);
            // Worse is lower: U counts the pairs in which the sample after is the lower.
            double u = higherIsWorse ? result.getStatistic() : (double) before.length * after.length
                    - result.getStatistic();
            made = new double[] {u, result.getPValue()};
            test = made;
        }
        return made;
    }

    /**
     * The Hodges-Lehmann estimate, signed so that positive is worse: after minus before when higher is worse, before
     * minus after when lower is.
     */
    public double shift() {
        return shift;
    }

    /**
     * What the rule compares with {@code by}: {@link #shift} divided by the baseline's median when {@code by} is
     * relative, else the shift.
     */
    public double effect() {
        return effect;
    }

    public double baselineMedian() {
        return baselineMedian;
    }

    public double currentMedian() {
        return currentMedian;
    }

    public int baselineSamples() {
        return before.length;
    }

    public int currentSamples() {
        return after.length;
    }

    public RegressedCall call() {
        return call;
    }

    /** The lower end of the shift's confidence interval at the call's confidence, signed as {@link #shift}. */
    public double shiftLow() {
        return interval()[0];
    }

    /** The upper end of the shift's confidence interval. */
    public double shiftHigh() {
        return interval()[1];
    }

    /** Both sides binned over one range, for a sparkline of the two distributions. */
    public Histogram histogram() {
        Histogram made = histogram;
        if (made == null) {
            made = Histogram.of(before, after);
            histogram = made;
        }
        return made;
    }

    private double[] interval() {
        double[] made = interval;
        if (made == null) {
            made = shiftInterval(before, after, call.confidence());
            if (call.worse() == RegressedCall.Worse.LOWER) {
                made = new double[] {-made[1], -made[0]};
            }
            interval = made;
        }
        return made;
    }

    /**
     * Whether the rule holds: the effect exceeds {@code by}, and the test rejects "not worse" at the confidence. The
     * test runs only when the effect is large enough for it to matter (or when its figures are asked for).
     */
    public boolean regressed() {
        return effect > call.by().amount() && p() <= 1 - call.confidence();
    }

    /**
     * Compares {@code current} with {@code baseline} as {@code call} asks. The arrays are not changed.
     *
     * @throws IllegalArgumentException when a side has fewer than {@link #MIN_SAMPLES} samples
     */
    public static Comparison of(double[] baseline, double[] current, RegressedCall call) {
        if (baseline.length < MIN_SAMPLES || current.length < MIN_SAMPLES) {
            throw new IllegalArgumentException("a comparison needs " + MIN_SAMPLES + " samples on each side, got "
                    + baseline.length + " and " + current.length);
        }
        // A frozen baseline is kept sorted (CapturedBaselines): it is compared every tick, and need not be sorted again.
        double[] before = sorted(baseline) ? baseline : sortedCopy(baseline);
        double[] after = sortedCopy(current);
        long pairs = (long) before.length * after.length;
        double shift = shift(before, after, pairs);
        if (call.worse() == RegressedCall.Worse.LOWER) {
            shift = -shift; // worse is lower: the shift that counts is before minus after
        }
        double baselineMedian = median(before);
        double effect = call.by().relative() ? shift / Math.abs(baselineMedian) : shift;
        if (Double.isNaN(effect)) {
            effect = 0; // 0 / 0: no shift from a baseline of 0
        }
        return new Comparison(shift, effect, baselineMedian, median(after), call, before, after);
    }

    /** For the incident record and the API: every figure by name. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("test", "mann-whitney-u");
        map.put("worse", call.worse().text());
        map.put("confidence", call.confidence());
        map.put("by", call.by().text());
        map.put("against", call.against() == null ? null : ExpressionPrinter.print(call.against()));
        map.put("u", u());
        map.put("p", p());
        map.put("shift", shift);
        map.put("shift_interval", List.of(shiftLow(), shiftHigh()));
        map.put("effect", effect);
        map.put("baseline_median", baselineMedian);
        map.put("current_median", currentMedian);
        map.put("baseline_samples", baselineSamples());
        map.put("current_samples", currentSamples());
        Histogram bins = histogram();
        map.put("baseline_sparkline", bins.sparkline(true));
        map.put("current_sparkline", bins.sparkline(false));
        map.put("sparkline_range", List.of(bins.low(), bins.high()));
        return map;
    }

    /** One line for the log: {@code +23.0% (p=0.0004, 120 samples after vs 60 before)}. */
    public String describe() {
        return effectText(effect, call.by().relative()) + " (p=" + String.format(java.util.Locale.ROOT, "%.2g", p())
                + ", " + after.length + " samples after vs " + before.length + " before)";
    }

    /** An effect as people read it: {@code +23.0%} for a relative {@code by}, {@code +0.06000} for an absolute one. */
    public static String effectText(double effect, boolean relative) {
        return relative ? String.format(java.util.Locale.ROOT, "%+.1f%%", effect * 100)
                : String.format(java.util.Locale.ROOT, "%+.4g", effect);
    }

    /**
     * The Hodges-Lehmann estimate: the median of the {@code pairs} differences {@code after[j] - before[i]}, both
     * arrays sorted.
     */
    static double shift(double[] before, double[] after, long pairs) {
        if (pairs % 2 == 1) {
            return kthDifference(before, after, (pairs + 1) / 2);
        }
        double lower = kthDifference(before, after, pairs / 2);
        // The next rank: the smallest difference above it, unless it is tied with it.
        double upper = count(before, after, lower) >= pairs / 2 + 1 ? lower : smallestAbove(before, after, lower);
        return lower + (upper - lower) / 2;
    }

    /**
     * The shift's two-sided confidence interval by the distribution of U (Bauer 1972; what R's
     * {@code wilcox.test(conf.int = TRUE)} gives for large samples): the differences of ranks {@code k + 1} and
     * {@code pairs - k}, with {@code k} from the normal approximation of U.
     */
    static double[] shiftInterval(double[] before, double[] after, double confidence) {
        long n = before.length;
        long m = after.length;
        long pairs = n * m;
        double z = NormalDistribution.of(0, 1).inverseCumulativeProbability(1 - (1 - confidence) / 2);
        long k = (long) Math.floor(pairs / 2.0 - z * Math.sqrt(pairs * (n + m + 1) / 12.0));
        k = Math.max(0, Math.min(k, (pairs - 1) / 2));
        return new double[] {kthDifference(before, after, k + 1), kthDifference(before, after, pairs - k)};
    }

    /**
     * The {@code k}-th smallest (from 1) of the differences {@code after[j] - before[i]}, without building them:
     * bisection on the value, counting the differences at or below it in one pass over both sorted arrays, then the
     * smallest difference above the bracket's lower end, so the result is one of the differences exactly.
     */
    static double kthDifference(double[] before, double[] after, long k) {
        double low = after[0] - before[before.length - 1]; // the smallest difference
        if (k <= 1 || count(before, after, low) >= k) {
            return low;
        }
        double high = after[after.length - 1] - before[0]; // the largest: count(high) is every pair
        // Invariant: count(low) < k <= count(high). Down to a bracket a billionth of the values' scale: the few
        // differences left inside it, if any, are stepped through below.
        double tolerance = 1e-9 * Math.max(Math.abs(low), Math.abs(high));
        for (int i = 0; i < 200 && high - low > tolerance; i++) {
            double middle = low + (high - low) / 2;
            if (middle <= low || middle >= high) {
                break;
            }
            if (count(before, after, middle) >= k) {
                high = middle;
            } else {
                low = middle;
            }
        }
        // Unless a difference lies strictly inside the last bracket (a bisection cut short), the first candidate is it.
        double candidate = smallestAbove(before, after, low);
        while (count(before, after, candidate) < k) {
            candidate = smallestAbove(before, after, candidate);
        }
        return candidate;
    }

    private static boolean sorted(double[] values) {
        for (int i = 1; i < values.length; i++) {
            if (values[i - 1] > values[i]) {
                return false;
            }
        }
        return true;
    }

    private static double[] sortedCopy(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    /** How many differences {@code after[j] - before[i]} are at most {@code value}. */
    private static long count(double[] before, double[] after, double value) {
        long count = 0;
        int i = 0; // the first before[i] for which after[j] - before[i] <= value; it only moves right as j grows
        for (double a : after) {
            while (i < before.length && a - before[i] > value) {
                i++;
            }
            count += before.length - i;
        }
        return count;
    }

    /** The smallest difference {@code after[j] - before[i]} greater than {@code value}. */
    private static double smallestAbove(double[] before, double[] after, double value) {
        double smallest = Double.POSITIVE_INFINITY;
        int i = 0;
        for (double a : after) {
            // The last before[i] with a - before[i] > value gives this j's smallest difference above value.
            while (i < before.length && a - before[i] > value) {
                i++;
            }
            if (i > 0) {
                smallest = Math.min(smallest, a - before[i - 1]);
            }
        }
        return smallest;
    }

    private static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : sorted[middle - 1] + (sorted[middle] - sorted[middle - 1]) / 2;
    }

    /** Both sides binned over one range, from the lower 1% to the upper 99% of all samples, outliers in the ends. */
    public record Histogram(double low, double high, int[] baseline, int[] current) {
        static final int BINS = 16;
        private static final String BARS = "▁▂▃▄▅▆▇█";

        static Histogram of(double[] before, double[] after) {
            double[] all = new double[before.length + after.length];
            System.arraycopy(before, 0, all, 0, before.length);
            System.arraycopy(after, 0, all, before.length, after.length);
            Arrays.sort(all);
            double low = all[(int) Math.floor(0.01 * (all.length - 1))];
            double high = all[(int) Math.ceil(0.99 * (all.length - 1))];
            return new Histogram(low, high, bin(before, low, high), bin(after, low, high));
        }

        private static int[] bin(double[] values, double low, double high) {
            int[] bins = new int[BINS];
            for (double value : values) {
                int bin = high > low ? (int) Math.floor((value - low) / (high - low) * BINS) : BINS / 2;
                bins[Math.max(0, Math.min(BINS - 1, bin))]++;
            }
            return bins;
        }

        /** One character per bin, its height the bin's share of its own side's samples: {@code ▁▃█▅▂▁}. */
        public String sparkline(boolean ofBaseline) {
            int[] bins = ofBaseline ? baseline : current;
            int most = Arrays.stream(bins).max().orElse(0);
            StringBuilder line = new StringBuilder(BINS);
            for (int count : bins) {
                line.append(count == 0 ? ' ' : BARS.charAt(Math.min(BARS.length() - 1,
                        (int) Math.ceil((double) count / most * BARS.length()) - 1)));
            }
            return line.toString();
        }
    }
}
