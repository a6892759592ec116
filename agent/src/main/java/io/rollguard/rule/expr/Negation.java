package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** Unary minus: {@code -x}. */
record Negation(Expr operand, Span span) implements Expr {
    public Negation {
        requireNonNull(operand, "operand");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.negation(this);
    }
}
