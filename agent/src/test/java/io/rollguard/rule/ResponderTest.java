package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckResult;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.RuleConfig;
import io.rollguard.journal.Event;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the agent does about transitions, fed by hand: the journal, the escalation ladder, the rollback latch and its
 * bounds, verification, reminders. Actions go to a fake runner that records each request and ends it when the test
 * says; time is a fake clock; the journal and {@code state.json} are real files.
 */
class ResponderTest {
    private static final Duration TICK = Duration.ofSeconds(5);
    private static final String HOST = "web-1";

    /** Every action the rules below may name. */
    private static final String ACTIONS = """
            [[check]]
            name = "api"
            type = "tcp"
            port = 8080

            [action.restart]
            run = ["/opt/app/restart.sh"]

            [action.restart-or-rollback]
            run = ["/opt/app/restart.sh"]
            on_failure = "rollback"

            [action.rollback]
            run = ["/opt/app/rollback.sh", "--to", "previous"]
            rollback = true
            max_per_hour = 2
            on_failure = "page"

            [action.verified-rollback]
            run = ["/opt/app/rollback.sh", "--to", "previous"]
            rollback = true
            verify = ["api"]
            verify_within = "1s"
            on_failure = "page"

            [action.rehearsal]
            run = ["/opt/app/rollback.sh", "--to", "previous"]
            rollback = true
            dry_run = true

            [action.page]
            type = "webhook"
            url = "http://127.0.0.1:9/hook"
            repeat_interval = "1m"
            """;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final AtomicBoolean apiPasses = new AtomicBoolean(true);
    private final FakeRunner runner = new FakeRunner();
    private Path stateDir;
    private Journal journal;
    private CheckRunner checks;
    private Config config;
    private Responder responder;

    @BeforeEach
    void openJournal() throws IOException {
        stateDir = dir.resolve("state");
        journal = EventJournal.open(stateDir, JournalLimits.DEFAULTS, time);
    }

    @AfterEach
    void close() throws IOException {
        if (checks != null) {
            checks.close();
        }
        journal.close();
    }

    @Test
    void everyTransitionIsJournaledWithItsDecisionRecord() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "2m"
                severity = "critical"
                """);

        responder.accept(new RuleTransition(rule("api-down"), LabelSet.of("check", "api"), RuleState.INACTIVE,
                RuleState.PENDING, "condition true; fires if it holds for 2m", 0, 0, new Basis(Duration.ofMinutes(1), 12),
                time.now(), time.nanoTime()));
        responder.accept(new RuleTransition(rule("api-down"), LabelSet.of("check", "api"), RuleState.PENDING,
                RuleState.UNKNOWN, "no data: the series the condition reads are missing or stale", Double.NaN, 0,
                Basis.NONE, time.now(), time.nanoTime()));

        List<Event> events = journal.since(0, 100);
        assertThat(events).extracting(Event::kind).containsExactly("rule_pending", "rule_unknown");
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("rule", "api-down");
        pending.put("labels", Map.of("check", "api"));
        pending.put("from", "inactive");
        pending.put("to", "pending");
        pending.put("reason", "condition true; fires if it holds for 2m");
        pending.put("value", 0.0);
        pending.put("threshold", 0.0);
        pending.put("window_seconds", 60.0);
        pending.put("samples", 12L);
        pending.put("condition", "check_up{check=\"api\"} == 0");
        pending.put("severity", "critical");
        assertThat(events.get(0).fields()).isEqualTo(pending);
        assertThat(events.get(1).fields()).containsEntry("value", null).containsEntry("from", "pending")
                .containsEntry("to", "unknown");
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void firingStartsTheFirstStepWithTheBreachInItsEnvironmentAndOnItsInput() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "2m"
                severity = "critical"
                action = ["restart", "rollback"]
                description = "The API stopped answering."
                """);

        fire("api-down", LabelSet.of("check", "api"));

        Event firing = only("rule_firing");
        Event started = only("action_started");
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        ActionRequest request = runner.runs().get(0).request();
        Map<String, String> environment = new TreeMap<>(Map.of(
                "ROLLGUARD_RULE", "api-down",
                "ROLLGUARD_SEVERITY", "critical",
                "ROLLGUARD_VALUE", "0",
                "ROLLGUARD_CONDITION", "check_up{check=\"api\"} == 0",
                "ROLLGUARD_LABELS", "{check=\"api\"}",
                "ROLLGUARD_FIRED_AT", "2026-01-01T00:00:00Z",
                "ROLLGUARD_EVENT_ID", String.valueOf(firing.id()),
                "ROLLGUARD_ACTION_EVENT_ID", String.valueOf(started.id()),
                "ROLLGUARD_HOST", HOST));
        environment.put("ROLLGUARD_DEPLOYMENT_ID", ""); // no deployment: empty, so a script can test for it
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", "");
        assertThat(request.environment()).isEqualTo(environment);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", firing.id());
        body.put("rule", "api-down");
        body.put("severity", "critical");
        body.put("state", "firing");
        body.put("labels", Map.of("check", "api"));
        body.put("value", 0.0);
        body.put("threshold", 0.0);
        body.put("condition", "check_up{check=\"api\"} == 0");
        body.put("reason", "held 2m of for=2m");
        body.put("window_seconds", 0.0);
        body.put("samples", 1);
        body.put("fired_at", "2026-01-01T00:00:00Z");
        body.put("description", "The API stopped answering.");
        body.put("host", HOST);
        body.put("deployment_id", null);
        body.put("deployment_version", null);
        assertThat(request.event()).isEqualTo(body);
        assertThat(started.fields()).containsEntry("rule", "api-down").containsEntry("action", "restart")
                .containsEntry("type", "exec").containsEntry("rollback", false).containsEntry("dry_run", false)
                .containsEntry("fired_event_id", firing.id()).containsEntry("reminder", false);
        assertThat(started.id()).isGreaterThan(firing.id());
    }

    @Test
    void theLadderEscalatesOnlyWhileFiringEscalateAfterThePreviousStepEnded() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["restart", "rollback", "page"]
                escalate_after = "30s"
                """);
        fire("api-down");

        advanceAndTick(Duration.ofMinutes(2)); // the restart is still running: nothing may overtake it
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        runner.last().end(Result.OK);
        advanceAndTick(Duration.ofSeconds(29));
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        advanceAndTick(Duration.ofSeconds(1));
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart", "rollback");

        advanceAndTick(Duration.ofMinutes(1));
        runner.last().end(Result.OK);
        advanceAndTick(Duration.ofSeconds(30));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart", "rollback", "page");
        assertThat(kinds()).containsExactly("rule_firing", "action_started", "action_finished", "action_started",
                "action_finished", "action_started");
    }

    @Test
    void aRuleThatClearsStopsItsLadder() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["restart", "rollback", "page"]
                escalate_after = "30s"
                """);
        fire("api-down");
        advanceAndTick(Duration.ofSeconds(10));

        clear("api-down");
        runner.last().end(Result.OK); // the step running when it cleared finishes; nothing comes after it
        advanceAndTick(Duration.ofMinutes(1));
        advanceAndTick(Duration.ofMinutes(10));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        assertThat(kinds()).containsExactly("rule_firing", "action_started", "rule_inactive", "action_finished");
    }

    @Test
    void aSkippedRollbackStillEscalatesToTheNextStep() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["rollback", "page"]
                escalate_after = "30s"
                """);
        fire("api-down");
        runner.last().end(Result.OK);
        clear("api-down");

        fire("api-down");
        advanceAndTick(Duration.ofSeconds(30));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback", "page");
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
    }

    @Test
    void webhookRemindersComeEveryRepeatIntervalWhileFiringAndNoneAfterItClears() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = "page"
                """);
        fire("api-down");
        runner.last().end(Result.OK);

        advanceAndTick(Duration.ofSeconds(59));
        assertThat(runner.runs()).hasSize(1);
        advanceAndTick(Duration.ofSeconds(1));
        assertThat(runner.runs()).hasSize(2);
        advanceAndTick(Duration.ofSeconds(30));
        advanceAndTick(Duration.ofSeconds(30));
        assertThat(runner.runs()).hasSize(3);
        clear("api-down");
        advanceAndTick(Duration.ofMinutes(1));
        advanceAndTick(Duration.ofMinutes(10));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "page", "page");
        assertThat(runner.runs().get(2).request().event()).isEqualTo(runner.runs().get(0).request().event());
        assertThat(events("action_started")).extracting(e -> e.fields().get("reminder"))
                .containsExactly(false, true, true);
    }

    @Test
    void aReminderDoesNotLetTheLadderOvertakeAStepStillRunning() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["page", "rollback", "restart"]
                escalate_after = "30s"
                """);
        fire("api-down");
        runner.last().end(Result.OK);
        advanceAndTick(Duration.ofSeconds(30));
        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "rollback");

        advanceAndTick(Duration.ofSeconds(30)); // a reminder of the page, while the rollback runs
        advanceAndTick(Duration.ofSeconds(30));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "rollback", "page");
        runner.runs().get(1).end(Result.OK);
        advanceAndTick(Duration.ofSeconds(29));
        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "rollback", "page");
        advanceAndTick(Duration.ofSeconds(1)); // escalate_after since the rollback ended, and the next reminder
        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "rollback", "page", "restart",
                "page");
    }

    @Test
    void aRollbackRunsOnceLatchedOnDiskBeforeItStarts() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);

        fire("memory-pressure");
        long firedEventId = only("rule_firing").id();
        Run rollback = runner.last();
        rollback.end(Result.OK);
        clear("memory-pressure");
        fire("memory-pressure");

        assertThat(runner.runs()).containsExactly(rollback);
        // What the runner saw on disk when it was asked to start: the latch was already there.
        assertThat(rollback.stateAtStart()).containsEntry("latches", Map.of("memory-pressure", Map.of(
                "action", "rollback", "at", "2026-01-01T00:00:00Z", "event_id", firedEventId, "running", true)));
        assertThat(rollback.stateAtStart().get("rollback_starts")).isEqualTo(List.of("2026-01-01T00:00:00Z"));
        Event skipped = last("action_skipped");
        assertThat(skipped.fields()).containsEntry("rule", "memory-pressure").containsEntry("action", "rollback")
                .containsEntry("result", "skipped_latched")
                .containsEntry("message", "rollback already ran for memory-pressure at 2026-01-01T00:00:00Z (event "
                        + firedEventId + "); re-arm with: rollguard rearm memory-pressure");
        assertThat(responder.latches()).containsExactly(new RollbackGuard.Latch("memory-pressure", "rollback",
                time.now(), firedEventId));
        assertThat(published()).containsEntry("rollguard_actions_total{action=\"rollback\",result=\"ok\"}", 1.0)
                .containsEntry("rollguard_actions_total{action=\"rollback\",result=\"skipped_latched\"}", 1.0)
                .containsEntry("rollguard_rolled_back{rule=\"memory-pressure\"}", 1.0);
    }

    @Test
    void theLatchHoldsAcrossARestartUntilTheRuleIsReArmed() throws Exception {
        String rules = """
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """;
        responder = responder(rules);
        fire("memory-pressure"); // and the agent dies while the rollback runs

        FakeRunner afterRestart = new FakeRunner();
        responder = ResponsePath.of(config.rules(), config.actions(), afterRestart, checks, journal, stateDir, time,
                HOST, false).responder();
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("memory-pressure");
        fire("memory-pressure");
        assertThat(afterRestart.runs()).isEmpty();
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");

        assertThat(responder.rearm("memory-pressure")).containsExactly("memory-pressure");

        assertThat(last("rule_rearmed").fields()).isEqualTo(Map.of("rules", List.of("memory-pressure")));
        assertThat(responder.latches()).isEmpty();
        assertThat(new StateFile(stateDir).read()).containsEntry("latches", Map.of());
        assertThat(published()).containsEntry("rollguard_rolled_back{rule=\"memory-pressure\"}", 0.0);
        clear("memory-pressure");
        fire("memory-pressure");
        assertThat(afterRestart.runs()).extracting(Run::action).containsExactly("rollback");
    }

    @Test
    void onlyOneRollbackRunsAtATime() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"

                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "verified-rollback"
                """);
        fire("memory-pressure");

        fire("disk-full");

        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback");
        assertThat(last("action_skipped").fields()).containsEntry("rule", "disk-full")
                .containsEntry("action", "verified-rollback").containsEntry("result", "skipped_busy")
                .containsEntry("message", "another rollback is running");
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("memory-pressure");
        assertThat(published())
                .containsEntry("rollguard_actions_total{action=\"verified-rollback\",result=\"skipped_busy\"}", 1.0);

        runner.last().end(Result.OK);
        clear("disk-full");
        fire("disk-full");
        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback", "verified-rollback");
    }

    @Test
    void maxPerHourBoundsRollbacksByTheWallClock() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);
        for (int i = 0; i < 2; i++) {
            fire("memory-pressure");
            runner.last().end(Result.OK);
            responder.rearm("memory-pressure");
            clear("memory-pressure");
            time.advance(Duration.ofMinutes(10));
        }

        fire("memory-pressure"); // 20 minutes after the first: the third within the hour

        assertThat(runner.runs()).hasSize(2);
        assertThat(last("action_skipped").fields()).containsEntry("result", "rate_limited")
                .containsEntry("message", "2 rollbacks in the last hour (max_per_hour = 2); rate limited until "
                        + "2026-01-01T01:00:00Z, after which the rule's next firing may roll back");
        assertThat(responder.latches()).isEmpty();
        assertThat(published())
                .containsEntry("rollguard_actions_total{action=\"rollback\",result=\"rate_limited\"}", 1.0);

        clear("memory-pressure");
        time.advance(Duration.ofMinutes(40)); // exactly an hour after the first: it still counts
        fire("memory-pressure");
        assertThat(runner.runs()).hasSize(2);
        clear("memory-pressure");
        time.advance(Duration.ofSeconds(1));
        fire("memory-pressure");
        assertThat(runner.runs()).hasSize(3);
    }

    @Test
    void maxPerHourFollowsTheWallClockWhenItJumps() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);
        for (int i = 0; i < 2; i++) {
            fire("memory-pressure");
            runner.last().end(Result.OK);
            responder.rearm("memory-pressure");
            clear("memory-pressure");
            time.advance(Duration.ofMinutes(1));
        }

        // Set back by an hour: the two runs now lie in the future, and still count.
        time.jumpWallClock(Duration.ofHours(-1));
        time.advance(Duration.ofMinutes(59));
        fire("memory-pressure");
        assertThat(runner.runs()).hasSize(2);
        assertThat(last("action_skipped").fields()).containsEntry("result", "rate_limited");
        clear("memory-pressure");

        // Set forward by two hours: they are over an hour old by the wall clock, after minutes of real time.
        time.jumpWallClock(Duration.ofHours(2));
        time.advance(Duration.ofMinutes(1));
        fire("memory-pressure");
        assertThat(runner.runs()).hasSize(3);
    }

    static Stream<Arguments> dryRuns() {
        return Stream.of(
                arguments("the action's dry_run", "rehearsal", false),
                arguments("[agent] dry_run", "rollback", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dryRuns")
    void aDryRunRecordsWhatWouldRunAndLatchesNothing(String name, String action, boolean agentDryRun)
            throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%%"
                action = "%s"
                """.formatted(action), agentDryRun);

        for (int i = 0; i < 3; i++) {
            fire("memory-pressure");
            runner.last().end(Result.DRY_RUN);
            clear("memory-pressure");
        }

        assertThat(runner.runs()).extracting(Run::action).containsExactly(action, action, action);
        assertThat(runner.runs().get(2).stateAtStart()).isEmpty();
        assertThat(responder.latches()).isEmpty();
        assertThat(Files.exists(stateDir.resolve("state.json"))).isFalse();
        assertThat(events("action_started")).extracting(e -> e.fields().get("dry_run")).containsOnly(true);
        assertThat(published())
                .containsEntry("rollguard_actions_total{action=\"" + action + "\",result=\"dry_run\"}", 3.0)
                .containsEntry("rollguard_rolled_back{rule=\"memory-pressure\"}", 0.0);
    }

    @Test
    void aRollbackThatExitsZeroIsVerifiedByItsChecks() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "verified-rollback"
                """);
        fire("memory-pressure");

        runner.last().end(Result.OK);

        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("rollback_verified"));
        assertThat(last("rollback_verified").fields()).isEqualTo(Map.of("rule", "memory-pressure",
                "action", "verified-rollback", "checks", List.of("api"), "message", "all of api pass"));
        assertThat(published()).containsEntry("rollguard_rollback_verified{rule=\"memory-pressure\"}", 1.0);
        assertThat(runner.runs()).extracting(Run::action).containsExactly("verified-rollback");
    }

    @Test
    void aRollbackWhoseChecksDoNotPassInTimeRunsItsOnFailureAction() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "verified-rollback"
                """);
        apiPasses.set(false);
        fire("memory-pressure");

        runner.last().end(Result.OK);

        await().atMost(Duration.ofSeconds(30)).until(() -> runner.runs().size() == 2);
        assertThat(last("rollback_verification_failed").fields()).isEqualTo(Map.of("rule", "memory-pressure",
                "action", "verified-rollback", "checks", List.of("api"),
                "message", "not passing after 1.0 s: api: connection refused"));
        Run page = runner.last();
        assertThat(page.action()).isEqualTo("page");
        assertThat(page.request().event()).containsEntry("rule", "memory-pressure")
                .containsEntry("state", "action_failed")
                .containsEntry("failure", "verified-rollback its verification failed: not passing after 1.0 s: api: "
                        + "connection refused");
        assertThat(published()).containsEntry("rollguard_rollback_verified{rule=\"memory-pressure\"}", 0.0);
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("memory-pressure");
    }

    @ParameterizedTest
    @EnumSource(value = Result.class, names = {"FAILED", "TIMEOUT"})
    void aRollbackThatFailsRunsItsOnFailureActionAndIsNotVerified(Result result) throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "verified-rollback"
                """);
        fire("memory-pressure");

        runner.last().end(result);

        assertThat(runner.runs()).extracting(Run::action).containsExactly("verified-rollback", "page");
        assertThat(last("action_finished").fields()).containsEntry("action", "verified-rollback")
                .containsEntry("result", result.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(kinds()).doesNotContain("rollback_verified", "rollback_verification_failed");
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("memory-pressure");
    }

    @Test
    void aDamagedStateFileBlocksEveryRollbackUntilEverythingIsReArmed() throws Exception {
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("state.json"), "{\"latches\": {\"memory-pres");
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);

        fire("memory-pressure");

        assertThat(runner.runs()).isEmpty();
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
        assertThat((String) last("action_skipped").fields().get("message"))
                .startsWith("the state file cannot be read, so whether this rollback already ran is unknown (")
                .contains(stateDir.resolve("state.json").toString())
                .endsWith("); fix or remove it, then re-arm");
        assertThat(responder.rearm("memory-pressure")).isEmpty();
        clear("memory-pressure");
        fire("memory-pressure");
        assertThat(runner.runs()).isEmpty();

        assertThat(responder.rearm(null)).containsExactly("(state file)");

        clear("memory-pressure");
        fire("memory-pressure");
        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback");
        assertThat(new StateFile(stateDir).read()).containsKey("latches");
    }

    @Test
    void aRollbackReachedThroughOnFailureIsLatchedAndPublishedAsRolledBack() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = "restart-or-rollback"
                """);
        assertThat(published()).containsEntry("rollguard_rolled_back{rule=\"api-down\"}", 0.0);
        fire("api-down");

        runner.last().end(Result.FAILED);

        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart-or-rollback", "rollback");
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("api-down");
        assertThat(published()).containsEntry("rollguard_rolled_back{rule=\"api-down\"}", 1.0);
        runner.last().end(Result.OK);
        clear("api-down");
        fire("api-down");
        runner.last().end(Result.FAILED);
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart-or-rollback", "rollback",
                "restart-or-rollback");
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
    }

    @Test
    void anActionStartedByOnFailureIsJournaledAsSuch() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);
        fire("memory-pressure");

        runner.last().end(Result.TIMEOUT);

        assertThat(events("action_started")).extracting(e -> e.fields().get("action")).containsExactly("rollback",
                "page");
        assertThat(last("action_started").fields()).containsEntry("reminder", false)
                .containsEntry("on_failure_of", "rollback");
    }

    @Test
    void aRunnerThatCannotStartTheRollbackFailsItAndFreesTheSlot() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"

                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "verified-rollback"
                """);
        runner.refuseNext();

        fire("memory-pressure");

        assertThat(last("action_finished").fields()).containsEntry("action", "rollback")
                .containsEntry("result", "failed")
                .containsEntry("message", "could not start: java.lang.IllegalArgumentException: no action named "
                        + "\"rollback\"");
        assertThat(runner.runs()).extracting(Run::action).containsExactly("page");
        fire("disk-full");
        assertThat(runner.runs()).extracting(Run::action).containsExactly("page", "verified-rollback");
    }

    @Test
    void aStateFileWhoseLatchesAreNotAnObjectBlocksRollbacksLikeADamagedOne() throws Exception {
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("state.json"), "{\"latches\": [\"memory-pressure\"]}");
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);

        fire("memory-pressure");

        assertThat(runner.runs()).isEmpty();
        assertThat((String) last("action_skipped").fields().get("message"))
                .startsWith("the state file cannot be read, so whether this rollback already ran is unknown (")
                .contains("latches");
    }

    @Test
    void publishesItsSeriesWithTheDocumentedLabels() throws Exception {
        responder = responder("""
                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = ["restart", "verified-rollback"]
                escalate_after = "0s"

                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "rollback"

                [[rule]]
                name = "api-slow"
                when = 'check_duration_seconds{check="api"} > 2s'
                action = "page"
                """);
        fire("memory-pressure");
        runner.last().end(Result.OK, Duration.ofMillis(1500));
        advanceAndTick(Duration.ZERO);
        runner.last().end(Result.OK, Duration.ofSeconds(42));
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("rollback_verified"));
        fire("api-slow");
        runner.last().end(Result.FAILED, Duration.ofMillis(250));
        responder.silences().silence("disk-full", Duration.ofHours(1), "");

        assertThat(published()).isEqualTo(Map.ofEntries(
                Map.entry("rollguard_rolled_back{rule=\"memory-pressure\"}", 1.0),
                Map.entry("rollguard_rolled_back{rule=\"disk-full\"}", 0.0),
                Map.entry("rollguard_rule_silenced{rule=\"memory-pressure\"}", 0.0),
                Map.entry("rollguard_rule_silenced{rule=\"disk-full\"}", 1.0),
                Map.entry("rollguard_rollbacks_total{rule=\"memory-pressure\"}", 1.0),
                Map.entry("rollguard_rollbacks_total{rule=\"disk-full\"}", 0.0),
                Map.entry("rollguard_rollback_verified{rule=\"memory-pressure\"}", 1.0),
                Map.entry("rollguard_actions_total{action=\"restart\",result=\"ok\"}", 1.0),
                Map.entry("rollguard_actions_total{action=\"verified-rollback\",result=\"ok\"}", 1.0),
                Map.entry("rollguard_actions_total{action=\"page\",result=\"failed\"}", 1.0),
                Map.entry("rollguard_action_duration_seconds{action=\"restart\"}", 1.5),
                Map.entry("rollguard_action_duration_seconds{action=\"verified-rollback\"}", 42.0),
                Map.entry("rollguard_action_duration_seconds{action=\"page\"}", 0.25),
                Map.entry("rollguard_journal_errors_total", 0.0)));
    }

    @Test
    void aReloadKeepsTheLatchOfARuleThatStillExistsAndDropsTheLatchOfARemovedOne() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = "rollback"
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "rollback"
                """);
        fire("api-down");
        runner.last().end(Result.OK);
        clear("api-down");
        fire("disk-full");
        runner.last().end(Result.OK);
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("api-down", "disk-full");

        Config reloaded = ConfigLoader.parse(new ConfigSource("rollguard.toml", ACTIONS + """
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} < 1'
                severity = "critical"
                action = "rollback"
                """, dir));
        List<String> dropped = responder.reconfigure(reloaded.rules(), reloaded.actions(), false);
        config = reloaded;

        assertThat(dropped).containsExactly("disk-full");
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("api-down");
        assertThat(new StateFile(stateDir).read().get("latches")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsOnlyKeys("api-down");
        assertThat(published()).containsEntry("rollguard_rolled_back{rule=\"api-down\"}", 1.0)
                .doesNotContainKey("rollguard_rolled_back{rule=\"disk-full\"}");

        int runs = runner.runs().size();
        fire("api-down");
        assertThat(runner.runs()).as("the latch still holds after the reload").hasSize(runs);
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
        assertThat(responder.knowsRule("disk-full")).isFalse();
    }

    @Test
    void aFiringRuleThatKeepsItsStateGoesOnUpItsNewLadder() throws Exception {
        responder = responder("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["restart"]
                escalate_after = "30s"
                """);
        fire("api-down");
        runner.last().end(Result.OK);

        Config reloaded = ConfigLoader.parse(new ConfigSource("rollguard.toml", ACTIONS + """
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = ["restart", "page"]
                escalate_after = "30s"
                """, dir));
        responder.reconfigure(reloaded.rules(), reloaded.actions(), false);
        advanceAndTick(Duration.ofSeconds(30));

        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart", "page");
    }

    @Test
    void aSecondRuleSharingTheRollbackIsSkippedForTheDeploymentItAlreadyRolledBack() throws Exception {
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", ACTIONS + """

                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = ["rollback", "page"]
                escalate_after = "0s"

                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = ["rollback", "page"]
                escalate_after = "0s"
                """, dir));
        checks = new CheckRunner(config.checks(), check -> () -> CheckResult.passed("ok", 0), store, time, time);
        DeploymentContext deployed = new DeploymentContext() {
            @Override
            public DeployedVersion current() {
                return new DeployedVersion("d7-20260101T000000Z", "v42");
            }

            @Override
            public void rollbackStarted(String rule, String action) {}
        };
        responder = ResponsePath.of(config.rules(), config.actions(), runner, checks, journal, stateDir, time, HOST,
                false).responder(deployed, IncidentRecorder.NONE);

        fire("memory-pressure");
        runner.last().end(Result.OK);
        fire("disk-full");

        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback");
        assertThat(last("action_skipped").fields()).containsEntry("rule", "disk-full")
                .containsEntry("result", "skipped_already_rolled_back");
        assertThat(responder.latches()).containsExactly(new RollbackGuard.Latch("memory-pressure", "rollback",
                time.now(), only("rule_firing", "memory-pressure").id(), "d7-20260101T000000Z"));
        advanceAndTick(Duration.ZERO);
        assertThat(runner.runs()).as("both ladders go on to their next step").extracting(Run::action)
                .containsExactly("rollback", "page", "page");
        assertThat(published())
                .containsEntry("rollguard_actions_total{action=\"rollback\",result=\"skipped_already_rolled_back\"}",
                        1.0)
                .containsEntry("rollguard_rollbacks_total{rule=\"disk-full\"}", 0.0)
                .containsEntry("rollguard_rolled_back{rule=\"disk-full\"}", 0.0);
    }

    @Test
    void aSilencedRulesRollbackWaitsJournaledOnceAndRunsWhenTheSilenceEndsIfTheRuleStillFires() throws Exception {
        responder = responder("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = ["restart", "rollback", "page"]
                escalate_after = "0s"
                """);
        responder.silences().silence("disk-full", Duration.ofMinutes(30), "db migration");

        fire("disk-full");
        // What comes before the rollback on the ladder still runs; the rollback and what follows it wait.
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        runner.last().end(Result.OK, Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            advanceAndTick(TICK);
        }
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart");
        Event skipped = only("action_skipped");
        assertThat(skipped.fields()).containsEntry("rule", "disk-full").containsEntry("action", "rollback")
                .containsEntry("result", "skipped_silenced");
        assertThat((String) skipped.fields().get("message")).isEqualTo("disk-full is silenced until "
                + time.now().minus(TICK.multipliedBy(10)).plus(Duration.ofMinutes(30))
                + " (db migration); it runs then if the rule still fires; lift the silence with: "
                + "rollguard silence --lift disk-full");
        assertThat(published()).containsEntry("rollguard_rule_silenced{rule=\"disk-full\"}", 1.0)
                .containsEntry("rollguard_actions_total{action=\"rollback\",result=\"skipped_silenced\"}", 1.0);

        // The silence expires at a tick: the rule still fires, so its rollback runs at that same tick, once.
        advanceAndTick(Duration.ofMinutes(30));
        assertThat(runner.runs()).extracting(Run::action).containsExactly("restart", "rollback");
        assertThat(kinds()).containsSubsequence("silence_started", "action_skipped", "silence_ended",
                "action_started");
        assertThat(last("silence_ended").fields()).containsEntry("how", "expired");
        assertThat(published()).containsEntry("rollguard_rule_silenced{rule=\"disk-full\"}", 0.0);
    }

    @Test
    void aSilencedRuleThatClearsBeforeItsSilenceEndsRollsNothingBack() throws Exception {
        responder = responder("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "rollback"
                """);
        responder.silences().silence(Silences.ALL, Duration.ofMinutes(30), "");

        fire("disk-full");
        advanceAndTick(TICK);
        clear("disk-full");
        advanceAndTick(Duration.ofMinutes(30));
        advanceAndTick(TICK);

        assertThat(runner.runs()).isEmpty();
        assertThat((String) only("action_skipped").fields().get("message"))
                .startsWith("every rule's rollbacks are silenced until ")
                .endsWith("lift the silence with: rollguard silence --lift --all");
        assertThat(responder.latches()).isEmpty();
    }

    @Test
    void liftingASilenceLetsTheWaitingRollbackRunAtTheNextTick() throws Exception {
        responder = responder("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "rollback"
                """);
        responder.silences().silence("disk-full", Duration.ofHours(2), "");
        fire("disk-full");
        advanceAndTick(TICK);
        assertThat(runner.runs()).isEmpty();

        responder.silences().lift("disk-full");
        advanceAndTick(TICK);

        assertThat(runner.runs()).extracting(Run::action).containsExactly("rollback");
        assertThat(last("silence_ended").fields()).containsEntry("how", "lifted");
        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("disk-full");
    }

    @Test
    void aSilenceHoldsNoDryRunAndNoRuleButItsOwn() throws Exception {
        responder = responder("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                action = "rehearsal"

                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                action = "rollback"
                """);
        responder.silences().silence("disk-full", Duration.ofHours(1), "");

        fire("disk-full");
        fire("memory-pressure");

        assertThat(runner.runs()).extracting(Run::action).containsExactly("rehearsal", "rollback");
        assertThat(kinds()).doesNotContain("action_skipped");
    }

    private Event only(String kind, String rule) {
        return events(kind).stream().filter(e -> rule.equals(e.fields().get("rule"))).findFirst().orElseThrow();
    }

    private Responder responder(String rules) throws ConfigException {
        return responder(rules, false);
    }

    private Responder responder(String rules, boolean agentDryRun) throws ConfigException {
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", ACTIONS + "\n" + rules, dir));
        checks = new CheckRunner(config.checks(), check -> () -> apiPasses.get()
                ? CheckResult.passed("connected in 1 ms", 0.001) : CheckResult.failed("connection refused"),
                store, time, time);
        return ResponsePath.of(config.rules(), config.actions(), runner, checks, journal, stateDir, time, HOST,
                agentDryRun).responder();
    }

    private RuleConfig rule(String name) {
        return config.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private void fire(String rule) {
        fire(rule, LabelSet.EMPTY);
    }

    private void fire(String rule, LabelSet labels) {
        responder.accept(new RuleTransition(rule(rule), labels, RuleState.PENDING, RuleState.FIRING,
                "held 2m of for=2m", 0, 0, Basis.LATEST, time.now(), time.nanoTime()));
    }

    private void clear(String rule) {
        responder.accept(new RuleTransition(rule(rule), LabelSet.EMPTY, RuleState.FIRING, RuleState.INACTIVE,
                "condition false", 1, 0, Basis.LATEST, time.now(), time.nanoTime()));
    }

    private void advanceAndTick(Duration step) {
        time.advance(step);
        responder.tick(time.nanoTime());
    }

    private List<String> kinds() {
        return journal.since(0, 1000).stream().map(Event::kind).toList();
    }

    private List<Event> events(String kind) {
        return journal.since(0, 1000).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    private Event only(String kind) {
        List<Event> events = events(kind);
        assertThat(events).as(kind).hasSize(1);
        return events.get(0);
    }

    private Event last(String kind) {
        List<Event> events = events(kind);
        assertThat(events).as(kind).isNotEmpty();
        return events.get(events.size() - 1);
    }

    /** What {@link Responder#publish} writes, keyed as Prometheus prints it, in a store of its own. */
    private Map<String, Double> published() {
        SeriesStore own = new SeriesStore();
        responder.publish(own, time.nanoTime(), TICK);
        Map<String, Double> series = new TreeMap<>();
        for (Series s : own.fresh(time.nanoTime())) {
            series.put(s.key().toString(), s.value());
        }
        return series;
    }

    /** One request to the runner, {@code state.json} as it was at that moment, and the run's outcome to come. */
    record Run(ActionRequest request, Map<String, Object> stateAtStart, CompletableFuture<ActionOutcome> outcome) {
        String action() {
            return request.action();
        }

        void end(Result result) {
            end(result, Duration.ofSeconds(1));
        }

        void end(Result result, Duration duration) {
            Integer exitCode = result == Result.OK ? Integer.valueOf(0) : result == Result.FAILED ? Integer.valueOf(3)
                    : null;
            outcome.complete(new ActionOutcome(result, exitCode, duration, "", result.name().toLowerCase(
                    java.util.Locale.ROOT)));
        }
    }

    /** The runner the responder asks: records every request and leaves each run open until the test ends it. */
    private final class FakeRunner implements Function<ActionRequest, CompletableFuture<ActionOutcome>> {
        private final List<Run> runs = new ArrayList<>();
        private boolean refuseNext;

        @Override
        public synchronized CompletableFuture<ActionOutcome> apply(ActionRequest request) {
            if (refuseNext) {
                refuseNext = false;
                throw new IllegalArgumentException("no action named \"" + request.action() + "\"");
            }
            Map<String, Object> state;
            try {
                state = new StateFile(stateDir).read();
            } catch (IOException e) {
                state = Map.of("unreadable", e.getMessage());
            }
            Run run = new Run(request, state, new CompletableFuture<>());
            runs.add(run);
            return run.outcome();
        }

        /** The next request throws, as the real runner does for an action it does not know. */
        synchronized void refuseNext() {
            refuseNext = true;
        }

        synchronized List<Run> runs() {
            return List.copyOf(runs);
        }

        synchronized Run last() {
            return runs.get(runs.size() - 1);
        }
    }
}
