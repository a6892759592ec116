package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.rollguard.deploy.Deployment;
import io.rollguard.rule.RollbackGuard;
import java.util.List;
import java.util.Map;

/**
 * What the API shows besides the tick's health snapshot: the latched rollbacks and how the journal fares.
 *
 * @param journalLastFailure why the last write to the journal failed; null when none has
 * @param deployment the current deployment; null when none
 */
public record AgentState(List<RollbackGuard.Latch> latches, long journalFailures, String journalLastFailure,
        Deployment deployment) {
    public AgentState {
        latches = List.copyOf(latches);
        requireNonNull(latches, "latches");
    }

    public boolean latched(String rule) {
        return latches.stream().anyMatch(l -> l.rule().equals(rule));
    }

    /** The current deployment as {@code /api/v1/deployments} shows it; null when none. */
    public Map<String, Object> deploymentMap() {
        return deployment == null ? null : deployment.toMap();
    }
}
