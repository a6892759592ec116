package io.rollguard.rule;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.RuleConfig;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.journal.Journal;
import io.rollguard.journal.StateFile;
import io.rollguard.journal.StateStore;
import io.rollguard.time.TimeSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The parts of the response path wired as the agent wires them, over a real state directory, for tests of one part
 * among the others: the state store, the action dispatcher, the rollback guard and the deployment actions; the
 * responder once its deployments exist.
 */
public record ResponsePath(List<RuleConfig> rules, StateStore state, ActionDispatcher actions,
        LatchingRollbackGuard guard, DeploymentActions deploymentActions, TimeSource time, String host,
        Silences silences) {
    public static ResponsePath of(List<RuleConfig> rules, Map<String, ActionConfig> actions,
            Function<ActionRequest, CompletableFuture<ActionOutcome>> runner, CheckRunner checks, Journal journal,
            Path stateDir, TimeSource time, String host, boolean agentDryRun) {
        StateStore state = new StateStore(new StateFile(stateDir));
        ActionDispatcher dispatcher = new ActionDispatcher(actions, agentDryRun, runner, journal);
        return new ResponsePath(rules, state, dispatcher,
                new LatchingRollbackGuard(state, checks::verify, journal, time),
                new DeploymentActions(dispatcher, host), time, host, new Silences(state, journal, time));
    }

    public Responder responder(DeploymentContext deployment, IncidentRecorder incidents) {
        return new Responder(rules, actions, guard, deployment, incidents, state, time, host, silences);
    }

    /** A responder without deployments or incidents. */
    public Responder responder() {
        return responder(DeploymentContext.NONE, IncidentRecorder.NONE);
    }
}
