package io.rollguard.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckResult;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.IncidentFiles;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.rule.DeploymentContext;
import io.rollguard.rule.Responder;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleTransition;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident records from the responder: a fake clock and action runner, a real journal, state file and incident
 * directory. The rollback's outcome is handed over by completing its future, as a worker thread would.
 */
class IncidentsTest {
    private static final String CONDITION =
            "avg_over(check_duration_seconds{check=\"api\"}, 2m) > 1.2 * baseline(check_duration_seconds{check=\"api\"})";
    private static final String CONFIG = """
            [[check]]
            name = "api"
            type = "port"
            ports = [8080]

            [action.rollback]
            run = ["/opt/app/rollback.sh"]
            rollback = true

            [action.checked-rollback]
            run = ["/opt/app/rollback.sh"]
            rollback = true
            verify = ["api"]
            verify_within = "1m"

            [action.page]
            type = "webhook"
            url = "http://127.0.0.1:9/hook"

            [[rule]]
            name = "latency"
            when = '%s'
            for = "1m"
            action = ["rollback", "page"]
            escalate_after = "1m"
            description = "API slower than before the deploy"

            [action.rehearsal]
            run = ["/opt/app/rollback.sh"]
            rollback = true
            dry_run = true

            [[rule]]
            name = "verified"
            when = "1 > 0"
            action = "checked-rollback"

            [[rule]]
            name = "rehearsed"
            when = "1 > 0"
            action = "rehearsal"
            """.formatted(CONDITION);

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<ActionRequest> requests = new ArrayList<>();
    private final List<CompletableFuture<ActionOutcome>> runs = new ArrayList<>();
    private final AtomicBoolean apiPasses = new AtomicBoolean(true);
    private Config config;
    private CheckRunner checks;
    private Journal journal;
    private Responder responder;
    private IncidentFiles files;

    @BeforeEach
    void open() throws Exception {
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG, dir));
        checks = new CheckRunner(config.checks(), check -> () -> apiPasses.get() ? CheckResult.passed("ok", 0)
                : CheckResult.failed("connection refused"), new SeriesStore(), time, time);
        journal = EventJournal.open(dir.resolve("state"), JournalLimits.DEFAULTS, time);
        files = new IncidentFiles(dir.resolve("state"));
        responder = ResponsePath.of(config.rules(), config.actions(), request -> {
            requests.add(request);
            CompletableFuture<ActionOutcome> run = new CompletableFuture<>();
            runs.add(run);
            return run;
        }, checks, journal, dir.resolve("state"), time, "web-1", false).responder(new FakeDeployment(),
                new Incidents(files, journal, () -> Map.of("app-log", List.of("ERROR timeout talking to db",
                        "ERROR ```not markdown```")), time));
        journal.append("deployment_started", Map.of("deployment_id", "d1-20260101T000000Z", "version", "v42"));
    }

    @AfterEach
    void close() throws Exception {
        checks.close();
        journal.close();
    }

    @Test
    void aRollbackWritesOneIncidentWithTheBreachTheBaselinesTheTimelineTheLogLinesAndTheOutput() throws Exception {
        transition("latency", RuleState.INACTIVE, RuleState.PENDING);
        time.advance(Duration.ofMinutes(1));
        transition("latency", RuleState.PENDING, RuleState.FIRING);
        assertThat(files.ids()).as("nothing before the outcome is known").isEmpty();
        Map<?, ?> link = (Map<?, ?>) requests.get(0).event().get("incident");
        String id = String.valueOf(link.get("id"));
        assertThat(link.get("path")).isEqualTo("/api/v1/incidents/" + id);

        time.advance(Duration.ofSeconds(3));
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.OK, 0, Duration.ofSeconds(3),
                "switching to v41\nrolled back to v41\n", "exit 0 after 3.0 s"));

        assertThat(files.ids()).containsExactly(id);
        assertThat(id).isEqualTo("20260101T000100Z-3");
        Map<String, Object> incident = files.read(id).orElseThrow();
        assertThat(incident).containsEntry("rule", "latency").containsEntry("host", "web-1")
                .containsEntry("outcome", "ok").containsEntry("deployment_id", "d1-20260101T000000Z")
                .containsEntry("deployment_version", "v42").containsEntry("started_at", "2026-01-01T00:01:00Z")
                .containsEntry("description", "API slower than before the deploy");
        Map<?, ?> breach = (Map<?, ?>) incident.get("breach");
        assertThat(breach.get("condition")).isEqualTo(CONDITION);
        assertThat(breach.get("value")).isEqualTo(0.9);
        assertThat(breach.get("threshold")).isEqualTo(0.6);
        assertThat(breach.get("fired_event_id")).isEqualTo(3L);
        assertThat((List<?>) breach.get("baselines")).as("only those the condition reads").hasSize(1)
                .first().asString().contains("check_duration_seconds{check=\"api\"}").contains("0.5");
        assertThat(incident.get("log_lines").toString()).contains("ERROR timeout talking to db");
        Map<?, ?> rollback = (Map<?, ?>) incident.get("rollback");
        assertThat(rollback.get("exit_code")).isEqualTo(0L);
        assertThat(rollback.get("output")).isEqualTo("switching to v41\nrolled back to v41\n");
        assertThat(incident.get("verification")).isNull();
        assertThat(kinds(incident))
                .containsExactly("deployment_started", "rule_pending", "rule_firing", "action_started",
                        "action_finished");
        assertThat(incident.get("timeline").toString()).as("the output is its own section").doesNotContain("v41");

        String markdown = files.readMarkdown(id).orElseThrow();
        assertThat(markdown).startsWith("# Incident " + id + ": latency on web-1\n")
                .contains("\n## Breach\n", "\n### Baselines\n", "\n## Timeline\n", "\n## Log lines\n",
                        "\n## Rollback\n", "\n## Verification\n")
                .contains("- **outcome**: ok\n", "rolled back to v41", "`rule_firing`")
                .contains("````\nERROR timeout talking to db\nERROR ```not markdown```\n````\n");
    }

    @Test
    void actionsAfterTheRollbackLinkToItsIncident() {
        transition("latency", RuleState.PENDING, RuleState.FIRING);
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.FAILED, 1, Duration.ofSeconds(1), "no\n",
                "exit 1"));
        time.advance(Duration.ofMinutes(1));
        responder.tick(time.nanoTime());

        assertThat(requests).extracting(ActionRequest::action).containsExactly("rollback", "page");
        assertThat(requests.get(1).event().get("incident")).isEqualTo(requests.get(0).event().get("incident"));
    }

    @Test
    void aVerifiedRollbackIsRecordedOnceItsVerificationHasAnAnswer() throws Exception {
        apiPasses.set(false);
        transition("verified", RuleState.PENDING, RuleState.FIRING);
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.OK, 0, Duration.ofSeconds(1), "", "exit 0"));
        // The verification retries, a pause apart on the fake clock, until verify_within has passed: step the clock
        // until it gives up (each attempt runs on a worker, so one step may not see it finish).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            time.advance(Duration.ofSeconds(5));
            return !files.ids().isEmpty();
        });
        Map<String, Object> incident = files.read(files.ids().get(0)).orElseThrow();
        assertThat(incident).containsEntry("outcome", "verification_failed");
        assertThat(incident.get("verification").toString()).contains("result=failed").contains("api");
        assertThat(kinds(incident))
                .endsWith("action_finished", "rollback_verification_failed");
        assertThat(files.readMarkdown(files.ids().get(0)).orElseThrow()).contains("- **result**: failed");
    }

    @Test
    void aFailedRollbackWithVerifyChecksSaysItsVerificationDidNotRun() throws Exception {
        transition("verified", RuleState.PENDING, RuleState.FIRING);
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.FAILED, 2, Duration.ofSeconds(1), "oops\n",
                "exit 2"));

        Map<String, Object> incident = files.read(files.ids().get(0)).orElseThrow();
        assertThat(incident).containsEntry("outcome", "failed");
        assertThat(incident.get("verification")).isEqualTo(Map.of("checks", List.of("api"), "result", "not_run",
                "message", "not run: the rollback did not exit 0"));
    }

    @Test
    void aDryRunRollbackWritesNoIncident() throws Exception {
        transition("rehearsed", RuleState.PENDING, RuleState.FIRING);
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.DRY_RUN, null, Duration.ZERO, "",
                "would run [/opt/app/rollback.sh]"));

        assertThat(files.ids()).isEmpty();
        assertThat(requests.get(0).event()).doesNotContainKey("incident");
    }

    @Test
    void aSkippedRollbackWritesNoIncident() throws Exception {
        transition("latency", RuleState.PENDING, RuleState.FIRING);
        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.OK, 0, Duration.ofSeconds(1), "", "exit 0"));
        transition("latency", RuleState.FIRING, RuleState.INACTIVE);
        transition("latency", RuleState.PENDING, RuleState.FIRING); // latched: skipped

        assertThat(files.ids()).hasSize(1);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).event()).containsKey("incident");
    }

    private static List<String> kinds(Map<String, Object> incident) {
        return ((List<?>) incident.get("timeline")).stream().map(e -> String.valueOf(((Map<?, ?>) e).get("kind")))
                .toList();
    }

    private void transition(String rule, RuleState from, RuleState to) {
        responder.accept(new RuleTransition(config.rules().stream().filter(r -> r.name().equals(rule)).findFirst()
                .orElseThrow(), LabelSet.EMPTY, from, to, "held 60s of for=1m", 0.9, 0.6,
                new Basis(Duration.ofMinutes(2), 24), time.now(), time.nanoTime()));
    }

    /** The deployment v42, with a baseline the latency rule reads and one it does not. */
    private static final class FakeDeployment implements DeploymentContext {
        @Override
        public DeployedVersion current() {
            return new DeployedVersion("d1-20260101T000000Z", "v42");
        }

        @Override
        public void rollbackStarted(String rule, String action) {}

        @Override
        public Map<String, Object> details() {
            Map<String, Object> deployment = new LinkedHashMap<>();
            deployment.put("id", "d1-20260101T000000Z");
            deployment.put("version", "v42");
            deployment.put("state", "rolled_back");
            deployment.put("baseline_window", "10m");
            deployment.put("baselines", List.of(
                    Map.of("selector", "check_duration_seconds{check=\"api\"}", "labels", Map.of("check", "api"),
                            "value", 0.5, "samples", 120),
                    Map.of("selector", "memory_used_ratio", "labels", Map.of(), "value", 0.3, "samples", 120)));
            return deployment;
        }
    }
}
