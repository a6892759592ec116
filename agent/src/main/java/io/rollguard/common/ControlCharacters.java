package io.rollguard.common;

/**
 * Text from outside the agent (a scraped label value, a program's output, a line of an application's log) made safe
 * for one line of the agent's log or an environment variable: a newline in it would start a line the application
 * wrote but the agent seems to say. Control characters become escapes, as in a Prometheus label value: {@code \n}
 * and {@code \r} as {@code \\n} and {@code \\r}, the others (and the Unicode line and paragraph separators) as
 * {@code \\uXXXX}. A tab stays: it cannot start a line, and programs print tables.
 */
public final class ControlCharacters {
    private ControlCharacters() {}

    public static String escape(String text) {
        int first = 0;
        while (first < text.length() && !escaped(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (escaped(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
