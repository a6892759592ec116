package io.rollguard.rule.expr;

/** Where a node is in the expression text: offsets from 0, {@code end} exclusive. */
public record Span(int start, int end) {
    public Span {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("not a span: " + start + ".." + end);
        }
    }
}
