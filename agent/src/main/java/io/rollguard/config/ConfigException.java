package io.rollguard.config;

import java.util.List;

/** A configuration that cannot be used, with every problem found in it. */
public final class ConfigException extends Exception {
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.isEmpty() ? "invalid configuration" : problems.get(0).toString(), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
