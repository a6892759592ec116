package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * {@code sum(increase(http_requests_total, 2m)) by (status)}: combines series into one per distinct value of the
 * {@code by} labels, or into a single series without labels when {@code by} is empty.
 */
record Aggregation(Operator operator, Expr argument, List<String> by, Span span) implements Expr {
    public enum Operator {
        SUM,
        AVG,
        MIN,
        MAX,
        COUNT;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Aggregation {
        requireNonNull(operator, "operator");
        requireNonNull(argument, "argument");
        by = List.copyOf(by);
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.aggregation(this);
    }
}
