package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.journal.JournalEvent.ActionStarted;
import io.rollguard.journal.JournalEvent.ForDeployment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Actions run for a deployment rather than a rule ({@code [deploy] on_healthy}): journaled as {@code action_started}
 * and {@code action_finished} with {@code trigger} and the deployment, counted like any run. The program sees
 * {@code ROLLGUARD_DEPLOYMENT_ID}, {@code ROLLGUARD_DEPLOYMENT_VERSION}, {@code ROLLGUARD_EVENT_ID} (the
 * deployment's event) and {@code ROLLGUARD_HOST}.
 */
public final class DeploymentActions {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);

    private final ActionDispatcher dispatcher;
    private final EventLog events;
    private final String host;

    public DeploymentActions(ActionDispatcher dispatcher, String host) {
        this.dispatcher = requireNonNull(dispatcher, "dispatcher");
        this.events = dispatcher.events();
        this.host = requireNonNull(host, "host");
    }

    /**
     * Starts {@code actionName} for {@code deployed}; returns at once.
     *
     * @param trigger why it runs, such as {@code on_healthy}
     * @param eventId the journal id of the deployment event that triggered it
     * @throws IllegalArgumentException when no action has that name (the configuration names only defined ones)
     */
    public void run(String actionName, String trigger, long eventId, DeploymentContext.DeployedVersion deployed) {
        ActionConfig action = dispatcher.action(actionName)
                .orElseThrow(() -> new IllegalArgumentException("no action named " + actionName));
        ForDeployment cause = new ForDeployment(trigger, eventId, deployed.id(), deployed.version());
        long started = events.append(new ActionStarted(action.name(), action.type(), false, dispatcher.dryRun(action),
                cause));
        log.info("running {} ({}) for deployment {} of {}", action.name(), trigger, deployed.id(), deployed.version());
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ROLLGUARD_EVENT_ID", String.valueOf(eventId));
        environment.put("ROLLGUARD_ACTION_EVENT_ID", String.valueOf(started));
        environment.put("ROLLGUARD_HOST", host);
        environment.put("ROLLGUARD_DEPLOYMENT_ID", deployed.id());
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", deployed.version());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", eventId);
        body.put("state", trigger.equals("on_healthy") ? "deployment_healthy" : trigger);
        body.put("trigger", trigger);
        body.put("deployment_id", deployed.id());
        body.put("deployment_version", deployed.version());
        body.put("host", host);
        dispatcher.start(new ActionRequest(action.name(), environment, body)).whenComplete((outcome, error) ->
                finished(action, cause, started, ActionDispatcher.outcome(outcome, error)));
    }

    private void finished(ActionConfig action, ForDeployment cause, long started, ActionOutcome outcome) {
        dispatcher.finished(action.name(), cause, started, outcome);
        if (ActionDispatcher.failed(outcome)) {
            log.warn("{} ({}) for deployment {}: {}", action.name(), cause.trigger(), cause.deploymentId(),
                    outcome.message());
        } else {
            log.info("{} ({}) for deployment {}: {}", action.name(), cause.trigger(), cause.deploymentId(),
                    ActionDispatcher.result(outcome));
        }
    }
}
