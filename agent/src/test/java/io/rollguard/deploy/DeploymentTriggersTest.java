package io.rollguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckResult;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.deploy.Deployment.State;
import io.rollguard.journal.Event;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.rule.IncidentRecorder;
import io.rollguard.rule.Responder;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleTransition;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [deploy] on_healthy} and {@code [deploy] watch_path} with a fake clock, a real responder, journal and
 * {@code state.json}, and real links and files in a temporary directory.
 */
class DeploymentTriggersTest {
    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<ActionRequest> requests = new ArrayList<>();
    private final List<CompletableFuture<ActionOutcome>> runs = new ArrayList<>();
    private Config config;
    private CheckRunner checks;
    private Journal journal;
    private Responder responder;
    private Deployments deployments;
    private Path current;

    @BeforeEach
    void open() throws Exception {
        current = dir.resolve("app/current");
        Files.createDirectories(dir.resolve("app/releases/v41"));
        Files.createDirectories(dir.resolve("app/releases/v42"));
        String text = """
                [deploy]
                watch = "10m"
                on_healthy = "cleanup"
                watch_path = "app/current"

                [action.cleanup]
                run = ["/opt/app/cleanup.sh"]

                [action.rollback]
                run = ["/opt/app/rollback.sh"]
                rollback = true

                [[rule]]
                name = "errors"
                when = "1 > 0"
                action = "rollback"
                """;
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", text, dir));
        checks = new CheckRunner(config.checks(), check -> () -> CheckResult.passed("ok", 0), new SeriesStore(), time, time);
        journal = EventJournal.open(dir.resolve("state"), JournalLimits.DEFAULTS, time);
        restart();
    }

    /** A new responder and deployments over the same state directory, as after the agent restarted. */
    private void restart() {
        ResponsePath path = ResponsePath.of(config.rules(), config.actions(), request -> {
            requests.add(request);
            CompletableFuture<ActionOutcome> run = new CompletableFuture<>();
            runs.add(run);
            return run;
        }, checks, journal, dir.resolve("state"), time, "web-1", false);
        deployments = new Deployments(config.deploy(), path.state(), path.guard(), path.deploymentActions(), journal,
                time);
        responder = path.responder(deployments, IncidentRecorder.NONE);
    }

    @AfterEach
    void close() throws Exception {
        checks.close();
        journal.close();
    }

    @Test
    void onHealthyRunsOnceWhenTheWindowEndsWithoutARollback() throws Exception {
        Deployment started = deployments.start("v42", null);
        time.advance(Duration.ofMinutes(10).minusSeconds(1));
        deployments.tick(time.nanoTime());
        assertThat(requests).as("the window is still open").isEmpty();

        time.advance(Duration.ofSeconds(1));
        deployments.tick(time.nanoTime());
        time.advance(Duration.ofMinutes(5));
        deployments.tick(time.nanoTime());

        assertThat(requests).hasSize(1);
        ActionRequest request = requests.get(0);
        assertThat(request.action()).isEqualTo("cleanup");
        assertThat(request.environment()).containsEntry("ROLLGUARD_DEPLOYMENT_ID", started.id())
                .containsEntry("ROLLGUARD_DEPLOYMENT_VERSION", "v42").containsEntry("ROLLGUARD_HOST", "web-1")
                .containsEntry("ROLLGUARD_EVENT_ID", String.valueOf(event("deployment_healthy").id()));
        assertThat(request.event()).containsEntry("state", "deployment_healthy")
                .containsEntry("deployment_version", "v42");

        runs.get(0).complete(new ActionOutcome(ActionOutcome.Result.OK, 0, Duration.ofSeconds(2), "cleaned\n",
                "exit 0"));
        Event actionStarted = event("action_started");
        assertThat(actionStarted.fields()).containsEntry("trigger", "on_healthy").containsEntry("action", "cleanup")
                .containsEntry("deployment_id", started.id())
                .containsEntry("trigger_event_id", event("deployment_healthy").id());
        assertThat(event("action_finished").fields()).containsEntry("result", "ok")
                .containsEntry("started_event_id", actionStarted.id()).containsEntry("output", "cleaned\n");
        assertThat(kinds()).containsSubsequence("deployment_started", "deployment_healthy", "action_started",
                "action_finished");
        assertThat(published()).containsEntry("rollguard_actions_total{action=\"cleanup\",result=\"ok\"}", 1.0);
    }

    @Test
    void aDeploymentFinishedBeforeItsWindowEndedDoesNotRunOnHealthy() {
        deployments.start("v42", null);
        time.advance(Duration.ofMinutes(1));
        deployments.finish();
        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime());

        assertThat(requests).isEmpty();
    }

    @Test
    void aStartFromWatchPathReArmsRollbacksAsDeployStartDoes() throws Exception {
        link("releases/v41");
        deployments.tick(time.nanoTime());
        responder.accept(new RuleTransition(config.rules().get(0), LabelSet.EMPTY, RuleState.PENDING,
                RuleState.FIRING, "held", 1, 0, Basis.NONE, time.now(), time.nanoTime()));
        assertThat(responder.latches()).hasSize(1);

        link("releases/v42");
        deployments.tick(time.nanoTime());

        assertThat(responder.latches()).isEmpty();
        assertThat(kinds()).containsSubsequence("rule_rearmed", "deployment_started");
    }

    @Test
    void aDirectoryNamesNoVersion() throws Exception {
        Files.createDirectories(current);
        deployments.tick(time.nanoTime());
        Files.delete(current);
        link("releases/v41");
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment()).as("v41 is the first version seen").isEmpty();
    }

    @Test
    void aRolledBackDeploymentDoesNotRunOnHealthy() {
        deployments.start("v42", null);
        time.advance(Duration.ofMinutes(1));
        responder.accept(new RuleTransition(config.rules().get(0), LabelSet.EMPTY, RuleState.PENDING,
                RuleState.FIRING, "held", 1, 0, Basis.NONE, time.now(), time.nanoTime()));
        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime());

        assertThat(requests).extracting(ActionRequest::action).containsExactly("rollback");
        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
    }

    @Test
    void aDeploymentAlreadyHealthyDoesNotRunOnHealthyAgainAfterARestart() {
        deployments.start("v42", null);
        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime());
        assertThat(requests).hasSize(1);

        restart();
        time.advance(Duration.ofMinutes(1));
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.HEALTHY);
        assertThat(requests).as("no second run").hasSize(1);
    }

    @Test
    void aWindowResumedAfterARestartRunsOnHealthyOnceAtItsEnd() {
        deployments.start("v42", null);
        time.advance(Duration.ofMinutes(4));
        deployments.tick(time.nanoTime());

        restart();
        time.advance(Duration.ofMinutes(6));
        deployments.tick(time.nanoTime());
        deployments.tick(time.nanoTime());

        assertThat(requests).extracting(ActionRequest::action).containsExactly("cleanup");
    }

    @Test
    void aSwitchedSymbolicLinkStartsADeploymentOfItsTarget() throws Exception {
        link("releases/v41");
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).as("the first look is the version already deployed").isEmpty();
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).isEmpty();

        link("releases/v42");
        deployments.tick(time.nanoTime());

        Deployment started = deployments.currentDeployment().orElseThrow();
        assertThat(started.version()).isEqualTo("v42");
        assertThat(started.state()).isEqualTo(State.WATCHING);
        assertThat(started.watch()).as("[deploy] watch").isEqualTo(Duration.ofMinutes(10));
        assertThat(kinds()).containsExactly("deployment_started");
        deployments.tick(time.nanoTime());
        assertThat(kinds()).as("one start per switch").containsExactly("deployment_started");
        assertThat(new StateFile(dir.resolve("state")).read().get("deployments").toString())
                .contains("watch_path").contains("version=v42");
    }

    @Test
    void aReloadThatMovesWatchPathLooksAtTheNewPathAsAtAStartAndTakesTheNewWatch() throws Exception {
        link("releases/v41");
        deployments.tick(time.nanoTime());
        Path other = dir.resolve("app/version");
        Files.writeString(other, "v7\n");
        Config reloaded = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [deploy]
                watch = "20m"
                watch_path = "app/version"
                """, dir));

        deployments.reconfigure(reloaded.deploy(), List.of());
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).as("v7 is what is deployed, not a change").isEmpty();
        link("releases/v42");
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).as("the old path is no longer watched").isEmpty();

        Files.writeString(other, "v8\n");
        deployments.tick(time.nanoTime());

        Deployment started = deployments.currentDeployment().orElseThrow();
        assertThat(started.version()).isEqualTo("v8");
        assertThat(started.watch()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void aLinkUnchangedAcrossARestartStartsNothing() throws Exception {
        link("releases/v41");
        deployments.tick(time.nanoTime());

        restart();
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment()).isEmpty();
        assertThat(kinds()).isEmpty();
    }

    @Test
    void aLinkSwitchedWhileTheAgentWasDownStartsADeploymentAtTheFirstTick() throws Exception {
        link("releases/v41");
        deployments.tick(time.nanoTime());

        link("releases/v42/"); // the trailing slash names the same directory
        restart();
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment().orElseThrow().version()).isEqualTo("v42");
    }

    @Test
    void aChangedFileStartsADeploymentOfItsFirstLine() throws Exception {
        Files.writeString(current, "v41\n");
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).isEmpty();

        Files.writeString(current, "  v42-rc1  \nbuilt by ci\n");
        Files.setLastModifiedTime(current, FileTime.fromMillis(Files.getLastModifiedTime(current).toMillis() + 1000));
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment().orElseThrow().version()).isEqualTo("v42-rc1");
    }

    @Test
    void aFileIsReadOnlyToItsBound() throws Exception {
        Files.writeString(current, "v41\n");
        deployments.tick(time.nanoTime());

        Files.writeString(current, "v".repeat(300));
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment().orElseThrow().version())
                .isEqualTo("v".repeat(WatchedPath.MAX_BYTES));
    }

    @Test
    void aMissingPathStartsNothingAndItsFirstAppearanceIsTheDeployedVersion() throws Exception {
        deployments.tick(time.nanoTime());
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).isEmpty();

        link("releases/v41");
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment()).isEmpty();

        Files.delete(current);
        deployments.tick(time.nanoTime());
        link("releases/v42");
        deployments.tick(time.nanoTime());
        assertThat(deployments.currentDeployment().orElseThrow().version()).isEqualTo("v42");
    }

    @Test
    void anEmptyFileNamesNoVersion() throws Exception {
        Files.writeString(current, "v41\n");
        deployments.tick(time.nanoTime());
        Files.writeString(current, "\n\n");
        deployments.tick(time.nanoTime());

        assertThat(deployments.currentDeployment()).isEmpty();
    }

    /** Points app/current at {@code target} as a deploy script does: a new link renamed over the old one. */
    private void link(String target) throws Exception {
        Path next = dir.resolve("app/current.next");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, Path.of(target));
        Files.move(next, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Map<String, Double> published() {
        SeriesStore own = new SeriesStore();
        responder.publish(own, time.nanoTime(), Duration.ofSeconds(5));
        Map<String, Double> series = new java.util.TreeMap<>();
        own.fresh(time.nanoTime()).forEach(s -> series.put(s.key().toString(), s.value()));
        return series;
    }

    private Event event(String kind) {
        return journal.since(0, 1000).stream().filter(e -> e.kind().equals(kind)).findFirst().orElseThrow();
    }

    private List<String> kinds() {
        return journal.since(0, 1000).stream().map(Event::kind).toList();
    }
}
