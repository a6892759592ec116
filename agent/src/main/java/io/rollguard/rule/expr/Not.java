package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** {@code not condition}. */
public record Not(Expr operand, Span span) implements Expr {
    public Not {
        requireNonNull(operand, "operand");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.not(this);
    }
}
