package io.rollguard.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tomlj.TomlPosition;

/** Collects every problem of one configuration source, so a user sees them all at once. */
final class Problems {
    private final String source;
    private final List<ConfigProblem> problems = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(TomlPosition position, String message) {
        if (position == null) {
            problems.add(new ConfigProblem(source, 0, 0, message));
        } else {
            problems.add(new ConfigProblem(source, position.line(), position.column(), message));
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
