package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the responder knows of one rollback once its outcome is known: the material of an incident record.
 *
 * @param incidentId the id the incident record gets, announced to actions of the same firing before it is written
 * @param firing the transition to firing that the rollback answered
 * @param firedEventId the journal id of that transition
 * @param action the rollback's {@code [action.NAME]}
 * @param startedEventId the journal id of its {@code action_started}
 * @param startedAt when it started
 * @param deployment the current deployment as the API shows it when the rollback started (baselines included);
 *     null without one
 * @param outcome how the script ended; its output is the bounded tail
 * @param verifyChecks the {@code verify} checks; empty when the rollback has none
 * @param verification their answer; null when none ran (no checks, or the script did not exit 0)
 * @param host the host name the agent runs on
 */
public record RollbackRecord(String incidentId, RuleTransition firing, long firedEventId, String action,
        long startedEventId, Instant startedAt, Map<String, Object> deployment, ActionOutcome outcome,
        List<String> verifyChecks, Verification verification, String host) {
    /** The answer of a rollback's verification. */
    public record Verification(boolean passed, String message) {
        public Verification {
            requireNonNull(message, "message");
        }
    }

    public RollbackRecord {
        requireNonNull(incidentId, "incidentId");
        requireNonNull(firing, "firing");
        requireNonNull(action, "action");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(outcome, "outcome");
        verifyChecks = List.copyOf(verifyChecks);
        requireNonNull(host, "host");
    }

    /** What the incident says of how it ended: the script's result, or its verification's when one ran. */
    public String result() {
        if (verification != null) {
            return verification.passed() ? "verified" : "verification_failed";
        }
        return outcome.result().name().toLowerCase(java.util.Locale.ROOT);
    }
}
