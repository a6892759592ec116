package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code predict(filesystem_free_bytes, 1h, 4h)}: each series' value {@code ahead} from now, by a least-squares line
 * through its samples of the last {@code window}, as Prometheus' {@code predict_linear(x[window], ahead)}.
 */
record PredictCall(Selector selector, Duration window, Duration ahead, Span span) implements Expr {
    public PredictCall {
        requireNonNull(selector, "selector");
        requireNonNull(window, "window");
        requireNonNull(ahead, "ahead");
        requireNonNull(span, "span");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a window must be positive, got " + window);
        }
        if (ahead.isNegative()) {
            throw new IllegalArgumentException("how far ahead to predict cannot be negative, got " + ahead);
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.predict(this);
    }
}
