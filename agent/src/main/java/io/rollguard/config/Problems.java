package io.rollguard.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.tomlj.TomlPosition;

/** Collects every problem of one configuration source, so a user sees them all at once. */
final class Problems {
    private final String source;
    private final List<String> lines;
    private final List<ConfigProblem> problems = new ArrayList<>();
    /** From a line of the text tomlj parsed to the line of the file. */
    private final IntUnaryOperator fileLine;

    Problems(String source, String text) {
        this(source, text, IntUnaryOperator.identity());
    }

    /** @param fileLine from a line number in tomlj's positions to the line of {@code text} */
    Problems(String source, String text, IntUnaryOperator fileLine) {
        this.source = source;
        this.lines = text.lines().toList();
        this.fileLine = fileLine;
    }

    /**
     * Reports a problem at {@code offset} inside the string value of the key at {@code keyPosition}, at its real
     * column in the file when that can be known (the value is a quoted string on the key's line without escapes
     * before the offset); otherwise at the key, with the offset in words.
     */
    void addInString(TomlPosition keyPosition, int offset, String message) {
        int column = valueColumn(keyPosition, offset);
        if (column > 0) {
            problems.add(new ConfigProblem(source, fileLine.applyAsInt(keyPosition.line()), column, message));
        } else {
            add(keyPosition, message + " (at character " + (offset + 1) + " of the string)");
        }
    }

    private int valueColumn(TomlPosition keyPosition, int offset) {
        int at = keyPosition == null ? 0 : fileLine.applyAsInt(keyPosition.line());
        if (at < 1 || at > lines.size()) {
            return -1;
        }
        String line = lines.get(at - 1);
        int equals = line.indexOf('=', keyPosition.column() - 1);
        int quote = equals;
        while (quote >= 0 && ++quote < line.length() && line.charAt(quote) == ' ') {
            // skip the spaces between '=' and the opening quote
        }
        if (equals < 0 || quote >= line.length() || (line.charAt(quote) != '"' && line.charAt(quote) != '\'')) {
            return -1;
        }
        int start = quote + 1;
        if (start + offset > line.length() || (line.charAt(quote) == '"'
                && line.substring(start, start + offset).indexOf('\\') >= 0)) {
            return -1;
        }
        return start + offset + 1;
    }

    void add(TomlPosition position, String message) {
        if (position == null) {
            problems.add(new ConfigProblem(source, 0, 0, message));
        } else {
            problems.add(new ConfigProblem(source, fileLine.applyAsInt(position.line()), position.column(), message));
        }
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
            throw new ConfigException(sorted);
        }
    }
}
