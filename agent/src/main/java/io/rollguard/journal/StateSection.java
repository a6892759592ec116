package io.rollguard.journal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The named parts of {@code state.json}, each owned by one component, with the key it has in the file. */
public enum StateSection {
    /** The rollback guard's latches: rule to {@code {action, at, event_id[, deployment_id]}}. */
    LATCHES("latches", Map.of(), true),
    /** The rollback guard's recent start times, for {@code max_per_hour}. */
    ROLLBACK_STARTS("rollback_starts", List.of(), true),
    /** The deployments: the current one with its baselines, the recent ones, the sequence, what watch_path named. */
    DEPLOYMENTS("deployments", null, false),
    /** The silences: rule (or {@code *}) to {@code {since, until, comment}}; left out until one is first set. */
    SILENCES("silences", null, false);

    private final String key;
    private final Object empty;
    private final boolean first;

    StateSection(String key, Object empty, boolean first) {
        this.key = key;
        this.empty = empty;
        this.first = first;
    }

    public String key() {
        return key;
    }

    /** What the file holds before the section's owner wrote it; null when it is left out until then. */
    Object empty() {
        return empty;
    }

    /** Whether it comes before the other keys, as the responder wrote its own sections before the others'. */
    boolean first() {
        return first;
    }

    static Optional<StateSection> named(String key) {
        for (StateSection section : values()) {
            if (section.key.equals(key)) {
                return Optional.of(section);
            }
        }
        return Optional.empty();
    }
}
