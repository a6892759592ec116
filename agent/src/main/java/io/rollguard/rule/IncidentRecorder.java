package io.rollguard.rule;

/**
 * Where the responder hands a rollback whose outcome is known (after its verification, when it has one), to be
 * written down as an incident. Called once per rollback, on the thread that learnt the outcome, under the
 * responder's lock: an implementation does bounded work and never calls back into the responder.
 */
@FunctionalInterface
public interface IncidentRecorder {
    /** Records nothing: tests of the responder alone. */
    IncidentRecorder NONE = rollback -> {};

    void record(RollbackRecord rollback);

    /** The path under which the API serves the incident {@code id}. */
    static String path(String id) {
        return "/api/v1/incidents/" + id;
    }
}
