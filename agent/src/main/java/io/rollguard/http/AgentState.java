package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.rollguard.deploy.Deployment;
import io.rollguard.journal.StateHealth;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.Silences;
import java.util.Optional;
import java.util.List;
import java.util.Map;

/**
 * What the API shows besides the tick's health snapshot: the latched rollbacks, how the journal and the state file
 * fare. Built for each answer from what the components publish for lock-free readers, so that building it never
 * waits for a write to the disk.
 *
 * @param journalLastFailure why the last write to the journal failed; null when none has
 * @param deployment the current deployment; null when none
 * @param stateHealth what is wrong with the state directory: a failing component of {@code /health/detailed}
 * @param dryRun {@code [agent] dry_run}: no action runs, each only says what it would do
 * @param silences the silences, as of their last change: one whose time has come may linger until the next tick
 */
public record AgentState(List<RollbackGuard.Latch> latches, long journalFailures, String journalLastFailure,
        Deployment deployment, StateHealth stateHealth, boolean dryRun, List<Silences.Silence> silences) {
    public AgentState {
        latches = List.copyOf(latches);
        requireNonNull(stateHealth, "stateHealth");
        silences = List.copyOf(silences);
    }

    public AgentState(List<RollbackGuard.Latch> latches, long journalFailures, String journalLastFailure,
            Deployment deployment, StateHealth stateHealth, boolean dryRun) {
        this(latches, journalFailures, journalLastFailure, deployment, stateHealth, dryRun, List.of());
    }

    /** A state of an agent that acts. */
    public AgentState(List<RollbackGuard.Latch> latches, long journalFailures, String journalLastFailure,
            Deployment deployment, StateHealth stateHealth) {
        this(latches, journalFailures, journalLastFailure, deployment, stateHealth, false);
    }

    /** A state whose state directory works. */
    public AgentState(List<RollbackGuard.Latch> latches, long journalFailures, String journalLastFailure,
            Deployment deployment) {
        this(latches, journalFailures, journalLastFailure, deployment, StateHealth.OK);
    }

    public boolean latched(String rule) {
        return latches.stream().anyMatch(l -> l.rule().equals(rule));
    }

    /** The silence in force that holds {@code rule}'s rollbacks, the one that ends last; empty when none. */
    public Optional<Silences.Silence> silencing(String rule) {
        return silences.stream().filter(s -> s.all() || s.rule().equals(rule))
                .max(java.util.Comparator.comparing(Silences.Silence::until));
    }

    /** The current deployment as {@code /api/v1/deployments} shows it; null when none. */
    public Map<String, Object> deploymentMap() {
        return deployment == null ? null : deployment.toMap();
    }
}
