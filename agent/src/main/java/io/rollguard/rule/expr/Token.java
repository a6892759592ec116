package io.rollguard.rule.expr;

/**
 * One token of an expression. {@code text} is the token as written; for a string, {@code value} is its content with
 * escapes resolved, for every other token the same as {@code text}.
 */
record Token(Kind kind, String text, String value, int start, int end) {
    enum Kind {
        NUMBER,
        DURATION,
        SIZE,
        PERCENT,
        IDENTIFIER,
        STRING,
        LEFT_PAREN,
        RIGHT_PAREN,
        LEFT_BRACE,
        RIGHT_BRACE,
        COMMA,
        PLUS,
        MINUS,
        STAR,
        SLASH,
        LESS,
        LESS_OR_EQUAL,
        GREATER,
        GREATER_OR_EQUAL,
        EQUAL_EQUAL,
        NOT_EQUAL,
        EQUAL,
        MATCHES,
        NOT_MATCHES,
        END
    }

    boolean is(Kind wanted) {
        return kind == wanted;
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENTIFIER && text.equals(keyword);
    }

    /** How a message names the token: {@code ')'}, or {@code the end of the expression}. */
    String describe() {
        if (kind == Kind.END) {
            return "the end of the expression";
        }
        // A long token (a runaway string) would drown the message; its start is in the column anyway.
        String shown = text.length() > 24 ? text.substring(0, 21) + "..." : text;
        return "'" + shown + "'";
    }
}
