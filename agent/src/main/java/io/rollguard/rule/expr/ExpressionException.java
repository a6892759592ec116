package io.rollguard.rule.expr;

/**
 * An expression that cannot be parsed: where, as an offset from 0 into the expression text, and what was expected
 * there. The message does not repeat the column, so the caller can prefix its own position
 * ({@code rollguard.toml:14:9: rule "x": when, column 12: ...}).
 */
public final class ExpressionException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int column;

    public ExpressionException(int column, String message) {
        super(message);
        if (column < 0) {
            throw new IllegalArgumentException("column must not be negative, got " + column);
        }
        this.column = column;
    }

    /** Offset from 0 into the expression text; equal to the text's length for a problem at its end. */
    public int column() {
        return column;
    }
}
