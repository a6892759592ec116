package io.rollguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckResult;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.DeploySettings;
import io.rollguard.deploy.Deployment.State;
import io.rollguard.journal.Event;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.journal.StateSection;
import io.rollguard.rule.IncidentRecorder;
import io.rollguard.rule.Responder;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleTransition;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment lifecycle with a fake clock, a real responder, journal and {@code state.json}: start, the window's
 * end, a rollback inside it, finish, and a restart in the middle of a window.
 */
class DeploymentsTest {
    private static final String CONFIG = """
            [deploy]
            watch = "30m"

            [action.rollback]
            run = ["/opt/app/rollback.sh"]
            rollback = true

            [[rule]]
            name = "errors"
            when = "1 > 0"
            action = "rollback"
            """;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<ActionRequest> requests = new ArrayList<>();
    private Config config;
    private CheckRunner checks;
    private Journal journal;
    private ResponsePath path;
    private Responder responder;
    private Deployments deployments;

    @BeforeEach
    void open() throws Exception {
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG, dir));
        checks = new CheckRunner(config.checks(), check -> () -> CheckResult.passed("ok", 0), new SeriesStore(), time, time);
        journal = EventJournal.open(dir.resolve("state"), JournalLimits.DEFAULTS, time);
        restart();
    }

    /** A new responder and deployments over the same state directory, as after the agent restarted. */
    private void restart() {
        path = ResponsePath.of(config.rules(), config.actions(), request -> {
            requests.add(request);
            return new CompletableFuture<ActionOutcome>(); // still running: the window does not care how it ends
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
    void theWindowEndsHealthyWithoutARollback() throws Exception {
        Deployment started = deployments.start("v42", null);

        assertThat(started.state()).isEqualTo(State.WATCHING);
        assertThat(started.watch()).isEqualTo(Duration.ofMinutes(30));
        assertThat(started.id()).isEqualTo("d1-20260101T000000Z");
        assertThat(deployments.tick(time.nanoTime())).as("window open").isTrue();
        time.advance(Duration.ofMinutes(30).minusSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).isTrue();
        time.advance(Duration.ofSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).as("window closed").isFalse();

        Deployment healthy = deployments.currentDeployment().orElseThrow();
        assertThat(healthy.state()).isEqualTo(State.HEALTHY);
        assertThat(healthy.endedAt()).isEqualTo(time.now());
        assertThat(kinds()).containsExactly("deployment_started", "deployment_healthy");
        assertThat(deployments.current().id()).as("still the deployed version").isEqualTo(started.id());
    }

    @Test
    void aWallClockJumpNeitherEndsNorStretchesTheWindow() throws Exception {
        deployments.start("v42", Duration.ofMinutes(30));

        time.jumpWallClock(Duration.ofHours(1));
        time.advance(Duration.ofMinutes(1));
        assertThat(deployments.tick(time.nanoTime())).as("open after an hour's jump forward").isTrue();
        time.jumpWallClock(Duration.ofHours(-2));
        time.advance(Duration.ofMinutes(29).minusSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).isTrue();
        time.advance(Duration.ofSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).as("closed after 30 minutes, two hours' jump back or not")
                .isFalse();
        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void aRollbackInsideTheWindowRollsTheDeploymentBackAndReachesTheScript() throws Exception {
        Deployment started = deployments.start("v42", Duration.ofMinutes(10));
        time.advance(Duration.ofMinutes(3));

        fire("errors");

        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).environment()).containsEntry("ROLLGUARD_DEPLOYMENT_ID", started.id())
                .containsEntry("ROLLGUARD_DEPLOYMENT_VERSION", "v42");
        assertThat(requests.get(0).event()).containsEntry("deployment_id", started.id())
                .containsEntry("deployment_version", "v42");
        assertThat(kinds()).containsSubsequence("deployment_started", "rule_firing", "action_started",
                "deployment_rolled_back");
        // The window stays open to its end, so the firing rule keeps its ladder; it never turns healthy.
        assertThat(deployments.tick(time.nanoTime())).isTrue();
        time.advance(Duration.ofMinutes(7));
        assertThat(deployments.tick(time.nanoTime())).isFalse();
        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
        Map<String, Object> state = new StateFile(dir.resolve("state")).read();
        assertThat(state).as("one file, both owners' keys").containsKeys("latches", "rollback_starts", "deployments");
        assertThat(state.get("latches").toString()).contains("errors");
        assertThat(state.get("deployments").toString()).contains("state=rolled_back");
    }

    @Test
    void startingADeploymentReArmsLatchedRollbacks() throws Exception {
        fire("errors");
        assertThat(responder.latches()).hasSize(1);

        deployments.start("v43", null);

        assertThat(responder.latches()).isEmpty();
        assertThat(kinds()).containsSubsequence("action_started", "rule_rearmed", "deployment_started");
        assertThat(new StateFile(dir.resolve("state")).read().get("latches")).isEqualTo(Map.of());
    }

    @Test
    void finishClosesTheWindowAndKeepsTheDeploymentAmongTheRecentOnes() throws Exception {
        assertThat(deployments.finish()).isEmpty();
        Deployment started = deployments.start("v42", null);

        Deployment finished = deployments.finish().orElseThrow();

        assertThat(finished.id()).isEqualTo(started.id());
        assertThat(finished.state()).isEqualTo(State.FINISHED);
        assertThat(deployments.tick(time.nanoTime())).isFalse();
        assertThat(deployments.currentDeployment()).isEmpty();
        assertThat(deployments.current().exists()).isFalse();
        assertThat(deployments.recent()).containsExactly(finished);
        assertThat(kinds()).containsExactly("deployment_started", "deployment_finished");
    }

    @Test
    void aNewDeploymentSupersedesOneStillWatchingAndTheRecentOnesAreBounded() throws Exception {
        for (int i = 1; i <= Deployments.RECENT + 5; i++) {
            deployments.start("v" + i, null);
            time.advance(Duration.ofSeconds(1));
        }

        assertThat(deployments.currentDeployment().orElseThrow().version()).isEqualTo("v25");
        assertThat(deployments.recent()).hasSize(Deployments.RECENT);
        assertThat(deployments.recent().get(0).version()).isEqualTo("v24");
        assertThat(deployments.recent().get(0).state()).isEqualTo(State.FINISHED);
        assertThat(deployments.recent().get(0).reason()).isEqualTo("superseded by a new deployment");
    }

    @Test
    void anAgentRestartedMidWindowResumesItWithTheTimeLeft() throws Exception {
        Deployment started = deployments.start("v42", Duration.ofMinutes(30));
        time.advance(Duration.ofMinutes(10));

        restart();

        Deployment resumed = deployments.currentDeployment().orElseThrow();
        assertThat(resumed).isEqualTo(started);
        assertThat(deployments.tick(time.nanoTime())).isTrue();
        time.advance(Duration.ofMinutes(20).minusSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).isTrue();
        time.advance(Duration.ofSeconds(1));
        assertThat(deployments.tick(time.nanoTime())).isFalse();
        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.HEALTHY);
        assertThat(deployments.start("v43", null).id()).as("ids keep counting").startsWith("d2-");
        assertThat(deployments.recent()).extracting(Deployment::id).containsExactly(started.id());
    }

    @Test
    void aRollbackLatchedBeforeARestartStaysWithTheDeploymentState() throws Exception {
        deployments.start("v42", null);
        fire("errors");

        restart();

        assertThat(responder.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("errors");
        assertThat(deployments.currentDeployment().orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
    }

    @Test
    void theResponderKeepsTheDeploymentsWhenItWritesItsOwnState() throws Exception {
        deployments.start("v42", null);
        fire("errors");

        responder.rearm("errors");

        Map<String, Object> state = new StateFile(dir.resolve("state")).read();
        assertThat(state.get("latches")).isEqualTo(Map.of());
        assertThat(state.get("deployments").toString()).contains("version=v42", "state=rolled_back");
    }

    @Test
    void aDamagedStateFileIsLeftAloneUntilADeploymentReArmsEverything() throws Exception {
        Path file = dir.resolve("state").resolve("state.json");
        java.nio.file.Files.writeString(file, "{\"latches\": ");
        restart();
        assertThat(deployments.currentDeployment()).isEmpty();
        path.state().write(StateSection.DEPLOYMENTS, () -> Map.of());
        assertThat(java.nio.file.Files.readString(file)).as("not overwritten").isEqualTo("{\"latches\": ");

        deployments.start("v42", null); // re-arming is a person's decision, as with `rollguard rearm`

        Map<String, Object> state = new StateFile(dir.resolve("state")).read();
        assertThat(state).containsKeys("latches", "deployments");
        assertThat(kinds()).containsSubsequence("rule_rearmed", "deployment_started");
    }

    @Test
    void theDeploymentsThePreviousVersionWroteReadAndWriteBackAsTheyWere() throws Exception {
        Path old = dir.resolve("old-state");
        java.nio.file.Files.createDirectories(old);
        byte[] fixture;
        try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/journal/state.json")) {
            fixture = in.readAllBytes();
        }
        java.nio.file.Files.write(old.resolve("state.json"), fixture);
        Map<?, ?> saved = (Map<?, ?>) new StateFile(old).read().get("deployments");
        Path watched = Path.of(String.valueOf(((Map<?, ?>) saved.get("watch_path")).get("path")));
        ResponsePath restarted = ResponsePath.of(config.rules(), config.actions(),
                request -> new CompletableFuture<ActionOutcome>(), checks, journal, old, time, "web-1", false);

        Deployments loaded = new Deployments(new DeploySettings(Duration.ofMinutes(30), Duration.ofMinutes(10), null,
                watched), restarted.state(), restarted.guard(), restarted.deploymentActions(), journal, time);
        restarted.state().write(StateSection.DEPLOYMENTS, loaded::stateMap);

        assertThat(loaded.currentDeployment().orElseThrow().version()).isEqualTo("v43");
        assertThat(loaded.recent()).extracting(Deployment::version).containsExactly("v42", "v41");
        assertThat(loaded.recent().get(1).baselines().values()).hasSize(1);
        assertThat(java.nio.file.Files.readString(old.resolve("state.json")))
                .isEqualTo(new String(fixture, java.nio.charset.StandardCharsets.UTF_8));
    }

    static Stream<Arguments> badStarts() {
        return Stream.of(
                arguments("", null, "version must be a non-empty string"),
                arguments("  ", null, "version must be a non-empty string"),
                arguments("v1\n", null, "version must be at most 200 characters, without control characters"),
                arguments("x".repeat(201), null, "version must be at most 200 characters, without control characters"),
                arguments("v1", Duration.ZERO, "watch must be between 1s and 7d, got \"0s\""),
                arguments("v1", Duration.ofDays(8), "watch must be between 1s and 7d, got \"8d\""));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badStarts")
    void refusesABadVersionOrWatch(String version, Duration watch, String message) throws Exception {
        assertThatThrownBy(() -> deployments.start(version, watch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(deployments.currentDeployment()).isEmpty();
        assertThat(kinds()).isEmpty();
    }

    @Test
    void theConfiguredWatchIsTheDefault() {
        assertThat(DeploySettings.DEFAULT.watch()).isEqualTo(Duration.ofMinutes(30));
    }

    private void fire(String rule) {
        responder.accept(new RuleTransition(config.rules().stream().filter(r -> r.name().equals(rule)).findFirst()
                .orElseThrow(), LabelSet.EMPTY, RuleState.PENDING, RuleState.FIRING, "held", 1, 0, Basis.NONE,
                time.now(), time.nanoTime()));
    }

    private List<String> kinds() {
        return journal.since(0, 1000).stream().map(Event::kind).toList();
    }
}
