package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One condition on a label: {@code status=~"5.."}. As in PromQL, regular expressions match the whole value, and a
 * series without the label matches as if its value were empty.
 *
 * <p>The compiled {@code pattern} is derived from {@code op} and {@code value}, compiled once here rather than at
 * each evaluation; it takes no part in equality, which {@link Pattern} does not define.
 */
public record LabelMatcher(String label, Op op, String value, Pattern pattern, Span span) {
    public enum Op {
        EQUAL("="),
        NOT_EQUAL("!="),
        MATCHES("=~"),
        NOT_MATCHES("!~");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public LabelMatcher {
        requireNonNull(label, "label");
        requireNonNull(op, "op");
        requireNonNull(value, "value");
        requireNonNull(pattern, "pattern");
        requireNonNull(span, "span");
        if (!pattern.pattern().equals(value)) {
            throw new IllegalArgumentException("pattern " + pattern + " is not compiled from " + value);
        }
    }

    /**
     * @throws java.util.regex.PatternSyntaxException when a regular expression operator gets an invalid one
     */
    public static LabelMatcher of(String label, Op op, String value, Span span) {
        Pattern pattern = switch (op) {
            case EQUAL, NOT_EQUAL -> Pattern.compile(value, Pattern.LITERAL);
            case MATCHES, NOT_MATCHES -> Pattern.compile(value);
        };
        return new LabelMatcher(label, op, value, pattern, span);
    }

    public boolean matches(LabelSet labels) {
        String actual = labels.get(label);
        String compared = actual == null ? "" : actual;
        return switch (op) {
            case EQUAL -> value.equals(compared);
            case NOT_EQUAL -> !value.equals(compared);
            case MATCHES -> pattern.matcher(compared).matches();
            case NOT_MATCHES -> !pattern.matcher(compared).matches();
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMatcher
                && label.equals(((LabelMatcher) other).label)
                && op == ((LabelMatcher) other).op
                && value.equals(((LabelMatcher) other).value)
                && span.equals(((LabelMatcher) other).span);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, op, value, span);
    }
}
