package io.rollguard.rule;

/** What one evaluation of a rule's condition said for one label set. */
public enum Observation {
    TRUE,
    FALSE,
    /** No data: the series the condition reads are absent or stale. */
    MISSING
}
