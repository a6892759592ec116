package io.rollguard.health;

/** The state of one component as {@code /health/detailed} reports it. */
public enum Status {
    /** Working. */
    UP,
    /** Failing: the message says why. */
    DOWN,
    /** Not run yet. */
    UNKNOWN
}
