package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a reload did: applied a new configuration, or kept the running one because the file is invalid or the agent
 * could not take it.
 *
 * @param source the file reloaded
 * @param message one line for a person: the summary of the changes, or why nothing changed
 * @param changes what changed; empty unless {@link Outcome#RELOADED}
 * @param problems the file's positioned problems when {@link Outcome#INVALID}
 */
public record ReloadResult(Outcome outcome, String source, String message, ConfigDiff changes,
        List<ConfigProblem> problems) {
    /** How a reload ended. */
    public enum Outcome {
        /** The new configuration is in force. */
        RELOADED,
        /** The file has problems: the running configuration stays. */
        INVALID,
        /** The file is valid but the agent could not take it: the running configuration stays. */
        FAILED
    }

    public ReloadResult {
        requireNonNull(outcome, "outcome");
        requireNonNull(source, "source");
        requireNonNull(message, "message");
        requireNonNull(changes, "changes");
        problems = List.copyOf(problems);
    }

    public boolean reloaded() {
        return outcome == Outcome.RELOADED;
    }
}
