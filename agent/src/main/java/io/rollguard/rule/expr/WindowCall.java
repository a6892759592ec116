package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;

/**
 * A function of each selected series' samples over the last {@code window}: {@code avg_over(check_up, 5m)}. Its
 * series need history, which {@link HistoryWindows} lists.
 */
public record WindowCall(Function function, Selector selector, Duration window, Span span) implements Expr {
    public enum Function {
        AVG_OVER,
        MIN_OVER,
        MAX_OVER,
        SUM_OVER,
        COUNT_OVER,
        /** Prometheus' {@code rate}: {@link #INCREASE} per second of the window. */
        RATE,
        /** Prometheus' {@code increase}: a counter's growth across resets, extrapolated to the window's edges. */
        INCREASE,
        /** Prometheus' {@code delta}: a gauge's last minus first sample, extrapolated to the window's edges. */
        DELTA,
        /** Prometheus' {@code deriv}: the per-second least-squares slope of a gauge. */
        SLOPE;

        /** How it is written: {@code avg_over}. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WindowCall {
        requireNonNull(function, "function");
        requireNonNull(selector, "selector");
        requireNonNull(window, "window");
        requireNonNull(span, "span");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a window must be positive, got " + window);
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.window(this);
    }
}
