package io.rollguard.rule.expr;

/**
 * A sum and a mean of many values with Kahan-Neumaier compensation, step for step as Prometheus' {@code kahansum.Inc}
 * and its {@code avg_over_time} / {@code avg}: the mean is the compensated sum divided by the count while the sum is
 * finite, and a running mean from the step the sum would overflow on. Over {@code 1 1e100 1 -1e100} the sum is 2 and
 * the mean 0.5, where plain summation gives 0 and 0.
 *
 * <p>Mutable and reused ({@link #clear}), so summing a window allocates nothing.
 */
final class CompensatedSum {
    private double sum;
    private double compensation;
    // The mean's own state: Prometheus sums for the mean separately, switching to a running mean on overflow.
    private double meanSum;
    private double meanCompensation;
    private double mean;
    private boolean incremental;
    private long count;

    void clear() {
        sum = 0;
        compensation = 0;
        meanSum = 0;
        meanCompensation = 0;
        mean = 0;
        incremental = false;
        count = 0;
    }

    void add(double value) {
        compensation = compensated(value, sum, compensation);
        sum += value;
        count++;
        if (count == 1) {
            meanSum = value;
            return;
        }
        if (!incremental) {
            if (!Double.isInfinite(meanSum + value)) {
                meanCompensation = compensated(value, meanSum, meanCompensation);
                meanSum += value;
                return;
            }
            incremental = true;
            mean = meanSum / (count - 1);
            meanCompensation /= count - 1;
        }
        double q = (count - 1) / (double) count;
        double share = value / count;
        meanCompensation = compensated(share, q * mean, q * meanCompensation);
        mean = q * mean + share;
    }

    long count() {
        return count;
    }

    /** The compensated sum; an infinite sum as it is (its compensation is meaningless). */
    double sum() {
        return Double.isInfinite(sum) ? sum : sum + compensation;
    }

    double mean() {
        if (count == 0) {
            return Double.NaN;
        }
        return incremental ? mean + meanCompensation : meanSum / count + meanCompensation / count;
    }

    /**
     * The compensation after adding {@code increment} to {@code total}, as {@code kahansum.Inc} computes it (the new
     * total is {@code total + increment}; Java never fuses the operations, so it is the same number here and there).
     */
    static double compensated(double increment, double total, double compensation) {
        double t = total + increment;
        if (Double.isInfinite(t)) {
            return 0;
        }
        // Neumaier: the smaller of the two operands is the one whose low bits the addition lost.
        if (Math.abs(total) >= Math.abs(increment)) {
            return compensation + ((total - t) + increment);
        }
        return compensation + ((increment - t) + total);
    }
}
