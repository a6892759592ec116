package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** A percentage such as {@code 90%}; it evaluates to a ratio, 0.9. */
public record PercentLiteral(double ratio, String text, Span span) implements Expr {
    public PercentLiteral {
        requireNonNull(text, "text");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.percent(this);
    }
}
