package io.rollguard.rule.expr;

import io.rollguard.common.Quantities;
import io.rollguard.rule.expr.Token.Kind;
import java.util.regex.Pattern;

/**
 * Splits an expression into tokens, one at a time as the parser asks, so that the first error in reading order is
 * the one reported. A number followed by a unit is one token: {@code 5m}, {@code 10GiB}, {@code 90%}.
 */
final class Lexer {
    private static final Pattern PLAIN_NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    static final String QUANTITY_EXPECTED =
            "a number, a duration such as 5m, a size such as 10GiB or a percentage such as 90%";

    private final String text;
    private int position;

    Lexer(String text) {
        this.text = text;
    }

    Token next() throws ExpressionException {
        skipWhitespace();
        int start = position;
        if (position >= text.length()) {
            return new Token(Kind.END, "", "", start, start);
        }
        char c = text.charAt(position);
        if (isDigit(c)) {
            return quantity();
        }
        if (isNameStart(c)) {
            while (position < text.length() && isNamePart(text.charAt(position))) {
                position++;
            }
            return token(Kind.IDENTIFIER, start);
        }
        if (c == '"') {
            return string();
        }
        position++;
        switch (c) {
            case '(':
                return token(Kind.LEFT_PAREN, start);
            case ')':
                return token(Kind.RIGHT_PAREN, start);
            case '{':
                return token(Kind.LEFT_BRACE, start);
            case '}':
                return token(Kind.RIGHT_BRACE, start);
            case ',':
                return token(Kind.COMMA, start);
            case '+':
                return token(Kind.PLUS, start);
            case '-':
                return token(Kind.MINUS, start);
            case '*':
                return token(Kind.STAR, start);
            case '/':
                return token(Kind.SLASH, start);
            case '<':
                return token(accept('=') ? Kind.LESS_OR_EQUAL : Kind.LESS, start);
            case '>':
                return token(accept('=') ? Kind.GREATER_OR_EQUAL : Kind.GREATER, start);
            case '=':
                if (accept('=')) {
                    return token(Kind.EQUAL_EQUAL, start);
                }
                return token(accept('~') ? Kind.MATCHES : Kind.EQUAL, start);
            case '!':
                if (accept('=')) {
                    return token(Kind.NOT_EQUAL, start);
                }
                if (accept('~')) {
                    return token(Kind.NOT_MATCHES, start);
                }
                throw new ExpressionException(start, "unexpected '!': write not to negate a condition");
            case '&':
                throw new ExpressionException(start, "unexpected '&': write and to combine conditions");
            case '|':
                throw new ExpressionException(start, "unexpected '|': write or to combine conditions");
            case '\'':
                throw new ExpressionException(start, "strings are written in double quotes: \"...\"");
            case '[':
                throw new ExpressionException(start,
                        "range selectors such as x[5m] are not supported: write the window as an argument,"
                                + " e.g. rate(x, 5m)");
            default:
                throw new ExpressionException(start, "unexpected character " + describe(text.codePointAt(start)));
        }
    }

    /** Digits and letters up to the first other character, then an optional {@code %}: classified by its form. */
    private Token quantity() throws ExpressionException {
        int start = position;
        while (position < text.length() && (isNamePart(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
        accept('%');
        String written = text.substring(start, position);
        if (PLAIN_NUMBER.matcher(written).matches()) {
            return token(Kind.NUMBER, start);
        }
        if (written.endsWith("%")) {
            if (!PLAIN_NUMBER.matcher(written.substring(0, written.length() - 1)).matches()) {
                throw new ExpressionException(start, "expected " + QUANTITY_EXPECTED + ", got '" + written + "'");
            }
            try {
                Quantities.parseRatio(written);
            } catch (IllegalArgumentException e) {
                throw new ExpressionException(start, e.getMessage());
            }
            return token(Kind.PERCENT, start);
        }
        if (isDuration(written)) {
            return token(Kind.DURATION, start);
        }
        if (isSize(written)) {
            return token(Kind.SIZE, start);
        }
        throw new ExpressionException(start, "expected " + QUANTITY_EXPECTED + ", got '" + written + "'");
    }

    private static boolean isDuration(String written) {
        try {
            Quantities.parseDuration(written);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isSize(String written) {
        try {
            Quantities.parseSize(written);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A double-quoted string; {@code \"} and {@code \\} are its only escapes. */
    private Token string() throws ExpressionException {
        int start = position;
        position++;
        StringBuilder value = new StringBuilder();
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '"') {
                position++;
                return new Token(Kind.STRING, text.substring(start, position), value.toString(), start, position);
            }
            if (c == '\\') {
                if (position + 1 >= text.length()) {
                    break;
                }
                char escaped = text.charAt(position + 1);
                if (escaped != '"' && escaped != '\\') {
                    throw new ExpressionException(position, "unknown escape \\" + escaped
                            + " in a string: only \\\" and \\\\ are escapes, so a regular expression's \\d is"
                            + " written \\\\d");
                }
                value.append(escaped);
                position += 2;
                continue;
            }
            value.append(c);
            position++;
        }
        throw new ExpressionException(start, "unterminated string");
    }

    private Token token(Kind kind, int start) {
        String written = text.substring(start, position);
        return new Token(kind, written, written, start, position);
    }

    private boolean accept(char wanted) {
        if (position < text.length() && text.charAt(position) == wanted) {
            position++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Prometheus metric names: letters, digits, underscores and colons, not starting with a digit. */
    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c);
    }

    private static String describe(int codePoint) {
        if (codePoint < 0x20 || codePoint == 0x7f || Character.isWhitespace(codePoint)) {
            return String.format("U+%04X", codePoint);
        }
        return "'" + new String(Character.toChars(codePoint)) + "'";
    }
}
