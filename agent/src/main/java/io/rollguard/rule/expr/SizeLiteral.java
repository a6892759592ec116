package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/** A size such as {@code 10GiB} or {@code 500MB}; it evaluates to bytes. */
public record SizeLiteral(long bytes, String text, Span span) implements Expr {
    public SizeLiteral {
        requireNonNull(text, "text");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.size(this);
    }
}
