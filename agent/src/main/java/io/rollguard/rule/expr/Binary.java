package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** Arithmetic ({@code a / b}), a comparison ({@code a > 90%}) or a logical operator ({@code a > 1 and b < 2}). */
public record Binary(Op op, Expr left, Expr right, Span span) implements Expr {
    public enum Kind {
        ARITHMETIC,
        COMPARISON,
        LOGICAL
    }

    public enum Op {
        ADD("+", Kind.ARITHMETIC),
        SUBTRACT("-", Kind.ARITHMETIC),
        MULTIPLY("*", Kind.ARITHMETIC),
        DIVIDE("/", Kind.ARITHMETIC),
        LESS("<", Kind.COMPARISON),
        LESS_OR_EQUAL("<=", Kind.COMPARISON),
        GREATER(">", Kind.COMPARISON),
        GREATER_OR_EQUAL(">=", Kind.COMPARISON),
        EQUAL("==", Kind.COMPARISON),
        NOT_EQUAL("!=", Kind.COMPARISON),
        AND("and", Kind.LOGICAL),
        OR("or", Kind.LOGICAL);

        private final String symbol;
        private final Kind kind;

        Op(String symbol, Kind kind) {
            this.symbol = symbol;
            this.kind = kind;
        }

        public String symbol() {
            return symbol;
        }

        public Kind kind() {
            return kind;
        }
    }

    public Binary {
        requireNonNull(op, "op");
        requireNonNull(left, "left");
        requireNonNull(right, "right");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.binary(this);
    }
}
