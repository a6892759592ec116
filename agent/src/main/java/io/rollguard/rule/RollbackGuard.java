package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.check.CheckRunner;
import io.rollguard.config.action.RollbackSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What stands between a firing rule and its rollback: the latch (a rollback runs once per rule, and once per
 * deployment for each rollback action, until re-armed), one rollback at a time, {@code max_per_hour}, and the
 * verification after it. The responder asks before it starts a rollback and tells it what became of it; the guard
 * never calls back.
 */
public interface RollbackGuard {
    /**
     * Why the rollback {@code action} of {@code rule} must not start now; empty when it may.
     *
     * @param deploymentId the current deployment's id, empty without one
     */
    Optional<Refusal> refusal(String rule, String action, RollbackSettings settings, String deploymentId);

    /**
     * The rollback starts: latched (on disk when this returns, so that no crash from here on runs it twice), counted
     * against {@code max_per_hour}, and holding the one slot until {@link #ended}.
     *
     * @return empty when the latch reached the disk; why it did not when it holds in memory only (neither state.json
     *     nor the space reserved for it could be written), for the action's {@code on_unpersisted} to decide
     */
    Optional<String> started(String rule, String action, String deploymentId, long firedEventId);

    /**
     * Undoes {@link #started} for a rollback that is held instead of run ({@code on_unpersisted = "hold"}): no
     * latch, no start counted, the slot free; a later try starts it afresh.
     */
    void withdrawn(String rule);

    /** Runs the rollback's {@code verify} checks after its program exited 0; the slot stays held meanwhile. */
    CompletableFuture<CheckRunner.Verification> verify(RollbackSettings settings);

    /**
     * The rollback has its answer: the program's, or its verification's; the next rollback may start.
     *
     * @param verified whether its checks passed; empty when none ran
     */
    void ended(String rule, Optional<Boolean> verified);

    /** Clears the latch of {@code rule}, or every latch (and a damaged state's block) when null; the rules re-armed. */
    List<String> rearm(String rule);

    /** Drops the latches of the rules a reload removed, since nothing could re-arm them by name; the rules dropped. */
    List<String> forget(Predicate<String> stillConfigured);

    List<Latch> latches();

    /**
     * The rollbacks that were running when the agent last stopped, which it never saw end (it was killed or crashed
     * meanwhile). Each is returned once: the next call returns none. Their latches hold.
     */
    default List<Latch> takeInterrupted() {
        return List.of();
    }

    boolean latched(String rule);

    /** Rollbacks started (past the guard) since the agent started, by rule. */
    Map<String, Long> rollbacksStarted();

    /** Whether each rule's last verified rollback passed its checks. */
    Map<String, Boolean> verified();

    /**
     * A rule's rollback has run: it will not run again for that rule, nor (the same action) for that deployment, until
     * re-armed.
     *
     * @param deploymentId the deployment it ran in; empty when there was none (or for a latch of an older version)
     */
    record Latch(String rule, String action, Instant at, long eventId, String deploymentId) {
        public Latch {
            requireNonNull(rule, "rule");
            requireNonNull(action, "action");
            requireNonNull(at, "at");
            requireNonNull(deploymentId, "deploymentId");
        }

        public Latch(String rule, String action, Instant at, long eventId) {
            this(rule, action, at, eventId, "");
        }

        /** The id of the incident its rollback is recorded as, such as {@code 20261122T030405Z-57}. */
        public String incidentId() {
            return IncidentDrafts.id(at, eventId);
        }
    }

    /**
     * Why a rollback did not start.
     *
     * @param result one word for the journal and {@code rollguard_actions_total}: {@code skipped_latched},
     *     {@code skipped_already_rolled_back}, {@code skipped_busy} or {@code rate_limited}
     * @param message for a person: what blocked it, and what would unblock it
     */
    record Refusal(String result, String message) {
        public Refusal {
            requireNonNull(result, "result");
            requireNonNull(message, "message");
        }
    }
}
