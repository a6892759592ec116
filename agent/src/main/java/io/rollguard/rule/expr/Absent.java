package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** {@code absent(process_up{process="backend"})}: a condition that holds when no fresh series matches. */
public record Absent(Selector selector, Span span) implements Expr {
    public Absent {
        requireNonNull(selector, "selector");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.absent(this);
    }
}
