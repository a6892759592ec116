package io.rollguard.config;

import java.util.Arrays;
import java.util.List;

/**
 * The text handed to tomlj, made so that parsing it takes time and memory in proportion to what it holds.
 *
 * <p>tomlj 2.2's error recovery looks ahead over every blank and comment line that follows each line break, so a
 * run of n such lines costs n² (a 64 KiB run of comments parses for about 19 s, a 3 MB one for minutes). Those lines
 * mean nothing to TOML outside a multi-line string, so they are left out here, in one linear pass that follows
 * strings as TOML does; {@link #fileLine} maps a parsed line back to the file's line for messages. The same pass
 * counts the tokens (keys, values, punctuation) and refuses more than {@link #MAX_TOKENS}: tomlj keeps several
 * hundred bytes per token while it parses, and the agent's heap is small.
 */
final class TomlText {
    /** About 1,000 rules of five keys; a 32 MiB heap parses the densest file of this many tokens with room left. */
    static final int MAX_TOKENS = 20_000;
    /** Where a tomlj message names a position of its own: "the array opened at line 2, column 7". */
    private static final java.util.regex.Pattern LINE_IN_MESSAGE = java.util.regex.Pattern.compile("\\bline (\\d+)\\b");

    private final String text;
    /** {@code lines[i]} is the file's 1-based line number of the parsed text's line {@code i + 1}. */
    private final int[] lines;
    private final int fileLines;

    private TomlText(String text, int[] lines, int fileLines) {
        this.text = text;
        this.lines = lines;
        this.fileLines = fileLines;
    }

    /** What tomlj parses. */
    String text() {
        return text;
    }

    /** The line of the file that line {@code parsedLine} of {@link #text()} is (past its end: after the file's). */
    int fileLine(int parsedLine) {
        if (parsedLine < 1) {
            return parsedLine;
        }
        return parsedLine <= lines.length ? lines[parsedLine - 1] : fileLines + (parsedLine - lines.length);
    }

    /** A tomlj message with the lines it names ("the array opened at line 2, column 7") as the file's lines. */
    String fileMessage(String message) {
        return LINE_IN_MESSAGE.matcher(message).replaceAll(match -> "line " + fileLine(Integer.parseInt(match.group(1))));
    }

    /**
     * @throws ConfigException if {@code text} holds more than {@link #MAX_TOKENS} tokens: at the first one over
     */
    static TomlText of(String source, String text) throws ConfigException {
        Scanner scanner = new Scanner(source);
        StringBuilder kept = new StringBuilder(text.length());
        int[] lines = new int[16];
        int count = 0;
        int line = 0;
        for (int start = 0; start < text.length(); ) {
            int end = text.indexOf('\n', start);
            int lineEnd = end < 0 ? text.length() : end;
            int next = end < 0 ? text.length() : end + 1;
            line++;
            if (scanner.inMultiLineString() || !trivia(text, start, lineEnd)) {
                scanner.scan(text, start, lineEnd, line);
                kept.append(text, start, next);
                if (count == lines.length) {
                    lines = Arrays.copyOf(lines, count * 2);
                }
                lines[count++] = line;
            }
            start = next;
        }
        return new TomlText(kept.toString(), Arrays.copyOf(lines, count), line);
    }

    /**
     * Whether {@code text[start, end)} is a blank line or a comment line that TOML accepts. A comment with a control
     * character in it is kept, so that tomlj reports it.
     */
    private static boolean trivia(String text, int start, int end) {
        int at = start;
        while (at < end && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
        if (at < end && text.charAt(at) == '\r' && at + 1 == end) {
            return true;
        }
        if (at == end) {
            return true;
        }
        if (text.charAt(at) != '#') {
            return false;
        }
        for (int i = at + 1; i < end; i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == end)) || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Follows strings across lines and counts tokens, as far as TOML's lexer would tell them apart. */
    private static final class Scanner {
        private final String source;
        /** 0 outside a multi-line string; '"' or '\'' inside one of that kind. */
        private char multiLine;
        private int tokens;

        Scanner(String source) {
            this.source = source;
        }

        boolean inMultiLineString() {
            return multiLine != 0;
        }

        void scan(String text, int start, int end, int line) throws ConfigException {
            int at = start;
            while (at < end) {
                if (multiLine != 0) {
                    at = closeMultiLine(text, at, end);
                    continue;
                }
                char c = text.charAt(at);
                if (c == ' ' || c == '\t' || c == '\r') {
                    at++;
                } else if (c == '#') {
                    return;
                } else if (c == '"' || c == '\'') {
                    count(line, at - start + 1);
                    if (text.startsWith(c == '"' ? "\"\"\"" : "'''", at)) {
                        multiLine = c;
                        at += 3;
                    } else {
                        at = closeString(text, at + 1, end, c);
                    }
                } else if ("=,[]{}.".indexOf(c) >= 0) {
                    count(line, at - start + 1);
                    at++;
                } else {
                    count(line, at - start + 1);
                    while (at < end && " \t\r#\"'=,[]{}.".indexOf(text.charAt(at)) < 0) {
                        at++;
                    }
                }
            }
        }

        /** After the closing quote of a one-line string that opened before {@code at}, or {@code end}. */
        private static int closeString(String text, int at, int end, char quote) {
            while (at < end) {
                char c = text.charAt(at);
                if (c == quote) {
                    return at + 1;
                }
                at += c == '\\' && quote == '"' ? 2 : 1;
            }
            return end;
        }

        /** Inside a multi-line string: after its closing quotes if they are on this line, or {@code end}. */
        private int closeMultiLine(String text, int at, int end) {
            while (at < end) {
                char c = text.charAt(at);
                if (c == '\\' && multiLine == '"') {
                    at += 2;
                } else if (c == multiLine) {
                    int quotes = 0;
                    while (at < end && text.charAt(at) == multiLine) {
                        quotes++;
                        at++;
                    }
                    // Up to two quotes before the closing three are part of the string.
                    if (quotes >= 3) {
                        multiLine = 0;
                        return at;
                    }
                } else {
                    at++;
                }
            }
            return end;
        }

        private void count(int line, int column) throws ConfigException {
            if (++tokens > MAX_TOKENS) {
                throw new ConfigException(List.of(new ConfigProblem(source, line, column, "more than "
                        + String.format(java.util.Locale.ROOT, "%,d", MAX_TOKENS) + " keys, values and punctuation"
                        + " marks (TOML tokens): the agent parses at most that many, room for about 1,000 rules;"
                        + " split out what is not needed on this host")));
            }
        }
    }
}
