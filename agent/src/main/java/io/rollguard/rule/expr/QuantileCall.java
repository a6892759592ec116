package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** {@code quantile_over(0.95, check_duration_seconds, 5m)}: the q-quantile of each series' samples in the window. */
record QuantileCall(double quantile, Selector selector, Duration window, Span span) implements Expr {
    public QuantileCall {
        requireNonNull(selector, "selector");
        requireNonNull(window, "window");
        requireNonNull(span, "span");
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("a quantile is between 0 and 1, got " + quantile);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a window must be positive, got " + window);
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.quantile(this);
    }
}
