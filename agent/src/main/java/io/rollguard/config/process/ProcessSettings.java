package io.rollguard.config.process;

import static java.util.Objects.requireNonNull;

/**
 * A {@code [[process]]} entry: a named group of processes the agent watches.
 *
 * @param name the value of the {@code process} label of its series; unique, lower-case letters, digits, _ and -
 */
public record ProcessSettings(String name, ProcessSelector selector) {
    public ProcessSettings {
        requireNonNull(name, "name");
        requireNonNull(selector, "selector");
    }
}
