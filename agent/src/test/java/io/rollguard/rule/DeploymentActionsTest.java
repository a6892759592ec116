package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.action.ActionRequest;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.journal.Event;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code [deploy] on_healthy}: what the action gets, and the two events it leaves, however it ends. */
class DeploymentActionsTest {
    private static final Map<String, ActionConfig> ACTIONS = Map.of("announce",
            WebhookActionConfig.of("announce", URI.create("http://127.0.0.1:9/deployed")));
    private static final DeploymentContext.DeployedVersion V42 =
            new DeploymentContext.DeployedVersion("d1-20260101T000000Z", "v42");

    private final RecordingJournal journal = new RecordingJournal();
    private final List<ActionRequest> requests = new ArrayList<>();
    private final List<CompletableFuture<ActionOutcome>> runs = new ArrayList<>();

    static Stream<Arguments> endings() {
        return Stream.of(
                arguments("ok", false, new ActionOutcome(Result.OK, null, Duration.ofMillis(120), "", "HTTP 200"),
                        "ok"),
                arguments("failed", false, new ActionOutcome(Result.FAILED, null, Duration.ofSeconds(7), "",
                        "no answer"), "failed"),
                arguments("a dry run", true, new ActionOutcome(Result.DRY_RUN, null, Duration.ZERO, "",
                        "would POST"), "dry_run"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endings")
    void runsTheActionForTheDeploymentAndJournalsBothEnds(String name, boolean agentDryRun, ActionOutcome outcome,
            String result) {
        DeploymentActions actions = new DeploymentActions(dispatcher(agentDryRun), "web-1");

        actions.run("announce", "on_healthy", 2, V42);
        runs.get(0).complete(outcome);

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ROLLGUARD_EVENT_ID", "2");
        environment.put("ROLLGUARD_ACTION_EVENT_ID", "1");
        environment.put("ROLLGUARD_HOST", "web-1");
        environment.put("ROLLGUARD_DEPLOYMENT_ID", "d1-20260101T000000Z");
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", "v42");
        assertThat(requests.get(0).environment()).isEqualTo(environment);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", 2L);
        body.put("state", "deployment_healthy");
        body.put("trigger", "on_healthy");
        body.put("deployment_id", "d1-20260101T000000Z");
        body.put("deployment_version", "v42");
        body.put("host", "web-1");
        assertThat(requests.get(0).event()).isEqualTo(body);
        List<Event> events = journal.events();
        assertThat(events).extracting(Event::kind).containsExactly("action_started", "action_finished");
        assertThat(events.get(0).fields()).containsEntry("trigger", "on_healthy").containsEntry("trigger_event_id", 2L)
                .containsEntry("dry_run", agentDryRun).containsEntry("rollback", false)
                .containsEntry("deployment_version", "v42");
        assertThat(events.get(1).fields()).containsEntry("result", result).containsEntry("started_event_id", 1L)
                .containsEntry("deployment_id", "d1-20260101T000000Z");
    }

    @Test
    void anActionNoConfigurationNamesIsAProgrammingError() {
        DeploymentActions actions = new DeploymentActions(dispatcher(false), "web-1");

        assertThatThrownBy(() -> actions.run("gone", "on_healthy", 2, V42))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no action named gone");
        assertThat(journal.events()).isEmpty();
    }

    private ActionDispatcher dispatcher(boolean agentDryRun) {
        return new ActionDispatcher(ACTIONS, agentDryRun, request -> {
            requests.add(request);
            CompletableFuture<ActionOutcome> run = new CompletableFuture<>();
            runs.add(run);
            return run;
        }, journal);
    }
}
