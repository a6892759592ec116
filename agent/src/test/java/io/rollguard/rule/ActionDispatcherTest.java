package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.action.ActionRequest;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.journal.Event;
import io.rollguard.journal.JournalEvent.Firing;
import io.rollguard.journal.JournalEvent.ForDeployment;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The actions as the response path hands them on: dry runs, runs that cannot start, one action_finished each. */
class ActionDispatcherTest {
    private static final Map<String, ActionConfig> ACTIONS = Map.of(
            "restart", ExecActionConfig.of("restart", List.of("/opt/app/restart.sh")),
            "page", WebhookActionConfig.of("page", URI.create("http://127.0.0.1:9/hook")));

    private final RecordingJournal journal = new RecordingJournal();

    static Stream<Arguments> dryRuns() {
        ExecActionConfig rehearsal = new ExecActionConfig("rehearsal", List.of("/x"), ExecActionConfig.DEFAULT_TIMEOUT,
                ExecActionConfig.DEFAULT_CWD, Map.of(), true, false, 3, List.of(), Duration.ofMinutes(2), null);
        return Stream.of(
                arguments("neither", ACTIONS.get("restart"), false, false),
                arguments("the agent's dry_run", ACTIONS.get("restart"), true, true),
                arguments("the action's dry_run", rehearsal, false, true),
                arguments("both", rehearsal, true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dryRuns")
    void aRunIsADryRunWhenTheAgentOrTheActionSaysSo(String name, ActionConfig action, boolean agentDryRun,
            boolean dryRun) {
        ActionDispatcher dispatcher = new ActionDispatcher(Map.of(action.name(), action), agentDryRun,
                request -> new CompletableFuture<>(), journal);

        assertThat(dispatcher.dryRun(action)).isEqualTo(dryRun);
    }

    static Stream<Arguments> outcomes() {
        return Stream.of(
                arguments("ok", new ActionOutcome(Result.OK, 0, Duration.ofMillis(1500), "done\n", "exit 0"), null,
                        "ok", 0L, 1.5, false),
                arguments("failed", new ActionOutcome(Result.FAILED, 3, Duration.ofSeconds(2), "", "exit 3"), null,
                        "failed", 3L, 2.0, true),
                arguments("timeout", new ActionOutcome(Result.TIMEOUT, null, Duration.ofMinutes(2), "", "timed out"),
                        null, "timeout", null, 120.0, true),
                arguments("a run that could not start", null, new IllegalStateException("no slot"), "failed", null,
                        0.0, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void everyRunEndsInOneActionFinishedAndIsCounted(String name, ActionOutcome outcome, Throwable error,
            String result, Long exitCode, double seconds, boolean failed) {
        ActionDispatcher dispatcher = new ActionDispatcher(ACTIONS, false, request -> new CompletableFuture<>(),
                journal);

        ActionOutcome ended = ActionDispatcher.outcome(outcome, error);
        dispatcher.finished("restart", new Firing("errors", Map.of("check", "api"), 4, false, null), 5, ended);

        Event finished = journal.events().get(0);
        assertThat(finished.kind()).isEqualTo("action_finished");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", "errors");
        fields.put("labels", Map.of("check", "api"));
        fields.put("action", "restart");
        fields.put("started_event_id", 5L);
        fields.put("result", result);
        fields.put("exit_code", exitCode);
        fields.put("duration_seconds", seconds);
        fields.put("message", error == null ? outcome.message() : "could not start: " + error);
        fields.put("output", error == null ? outcome.output() : "");
        assertThat(finished.fields()).isEqualTo(fields);
        assertThat(ActionDispatcher.failed(ended)).isEqualTo(failed);
        assertThat(series(dispatcher)).containsEntry("rollguard_actions_total{action=\"restart\",result=\"" + result
                + "\"}", 1.0).containsEntry("rollguard_action_duration_seconds{action=\"restart\"}", seconds);
    }

    @Test
    void aRunForADeploymentNamesItsTriggerAndDeployment() {
        ActionDispatcher dispatcher = new ActionDispatcher(ACTIONS, false, request -> new CompletableFuture<>(),
                journal);

        dispatcher.finished("page", new ForDeployment("on_healthy", 2, "d1", "v42"), 3,
                new ActionOutcome(Result.OK, null, Duration.ofMillis(80), "", "HTTP 200"));

        assertThat(journal.events().get(0).fields().keySet()).containsExactly("action", "trigger", "deployment_id",
                "started_event_id", "result", "exit_code", "duration_seconds", "message", "output");
    }

    @Test
    void aRunnerThatThrowsGivesAFailedRunNotAnException() {
        ActionDispatcher dispatcher = new ActionDispatcher(ACTIONS, false, request -> {
            throw new IllegalArgumentException("no action named \"restart\"");
        }, journal);

        CompletableFuture<ActionOutcome> run = dispatcher.start(new ActionRequest("restart", Map.of(), Map.of()));

        assertThat(run).isCompletedExceptionally();
    }

    @Test
    void skipsAreCountedByResultAndAReloadReplacesTheActions() {
        ActionDispatcher dispatcher = new ActionDispatcher(ACTIONS, false, request -> new CompletableFuture<>(),
                journal);
        dispatcher.skipped("rollback", "skipped_already_rolled_back");
        dispatcher.skipped("rollback", "skipped_already_rolled_back");

        dispatcher.reconfigure(Map.of("page", ACTIONS.get("page")), true);

        assertThat(series(dispatcher)).isEqualTo(Map.of(
                "rollguard_actions_total{action=\"rollback\",result=\"skipped_already_rolled_back\"}", 2.0));
        assertThat(dispatcher.action("restart")).isEmpty();
        assertThat(dispatcher.dryRun(ACTIONS.get("page"))).isTrue();
    }

    private static Map<String, Double> series(ActionDispatcher dispatcher) {
        SeriesWriter out = new SeriesWriter();
        dispatcher.write(out);
        SeriesStore store = new SeriesStore();
        FakeTime time = new FakeTime();
        store.replace("actions", out, time.nanoTime(), Duration.ofSeconds(5), Duration.ofSeconds(15));
        Map<String, Double> values = new TreeMap<>();
        for (io.rollguard.store.Series s : store.fresh(time.nanoTime())) {
            values.put(s.key().toString(), s.value());
        }
        return values;
    }
}
