package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** A plain number, {@code 0.5}; {@code text} is how it was written. */
public record NumberLiteral(double value, String text, Span span) implements Expr {
    public NumberLiteral {
        requireNonNull(text, "text");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.number(this);
    }
}
