package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** A duration such as {@code 30s} or {@code 1h30m}; it evaluates to seconds. */
public record DurationLiteral(Duration value, String text, Span span) implements Expr {
    public DurationLiteral {
        requireNonNull(value, "value");
        requireNonNull(text, "text");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.duration(this);
    }
}
