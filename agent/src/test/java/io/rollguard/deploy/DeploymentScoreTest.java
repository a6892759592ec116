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
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.Scorecard;
import io.rollguard.rule.Scorecard.Classification;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
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
 * A deployment judged by its canary score at its window's end, with a fake clock, a real journal, state.json and
 * action path: promoted at or above score_pass, held once at or above score_marginal, failed below (or marginal
 * again), with on_fail run.
 */
class DeploymentScoreTest {
    private static final String CONFIG = """
            [deploy]
            watch = "10m"
            score_pass = 90
            score_marginal = 60
            on_fail = "rollback"

            [action.rollback]
            run = ["/opt/app/rollback.sh"]
            rollback = true
            """;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<ActionRequest> requests = new ArrayList<>();
    private CheckRunner checks;
    private Journal journal;
    private Deployments deployments;

    @BeforeEach
    void open() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG, dir));
        checks = new CheckRunner(config.checks(), check -> () -> CheckResult.passed("ok", 0), new SeriesStore(), time,
                time);
        journal = EventJournal.open(dir.resolve("state"), JournalLimits.DEFAULTS, time);
        ResponsePath path = ResponsePath.of(config.rules(), config.actions(), request -> {
            requests.add(request);
            return new CompletableFuture<ActionOutcome>();
        }, checks, journal, dir.resolve("state"), time, "web-1", false);
        deployments = new Deployments(config.deploy(), path.state(), path.guard(), path.deploymentActions(), journal,
                time);
    }

    @AfterEach
    void close() throws Exception {
        checks.close();
        journal.close();
    }

    /** {@code passing} of {@code total} label sets pass, the others are high; one more has no data. */
    private static Scorecard card(int passing, int total) {
        List<Scorecard.Entry> entries = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            entries.add(new Scorecard.Entry("latency", LabelSet.of("check", "c" + i),
                    i < passing ? Classification.PASS : Classification.HIGH, 1, null));
        }
        entries.add(new Scorecard.Entry("errors", LabelSet.EMPTY, Classification.NODATA, 5, null));
        return new Scorecard(entries);
    }

    private List<String> kinds() throws Exception {
        return journal.since(0, 1000).stream().map(Event::kind).toList();
    }

    private Event last(String kind) throws Exception {
        List<Event> events = journal.since(0, 1000).stream().filter(e -> e.kind().equals(kind)).toList();
        return events.get(events.size() - 1);
    }

    @Test
    void aPassingScorePromotesAndIsKeptWithTheDeployment() throws Exception {
        deployments.start("v2", null);
        deployments.tick(time.nanoTime(), card(8, 10));
        assertThat(((Map<?, ?>) deployments.toMap().get("current")).get("score").toString())
                .as("shown live while watching").contains("score=80");

        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime(), card(19, 20));

        Deployment judged = deployments.currentDeployment().orElseThrow();
        assertThat(judged.state()).isEqualTo(State.HEALTHY);
        assertThat(judged.reason()).isEqualTo("no rollback within its watch window; canary score 95 (19 pass, 1 high,"
                + " 1 nodata), pass 90");
        assertThat(judged.score()).containsEntry("score", 95L).containsEntry("pass", 90L)
                .containsEntry("marginal", 60L);
        assertThat(last("deployment_healthy").fields().get("score").toString()).contains("score=95");
        assertThat(requests).isEmpty();
    }

    @Test
    void aMarginalScoreHoldsTheWindowOnceThenFails() throws Exception {
        deployments.start("v2", null);
        time.advance(Duration.ofMinutes(10));

        deployments.tick(time.nanoTime(), card(7, 10));

        Deployment held = deployments.currentDeployment().orElseThrow();
        assertThat(held.state()).isEqualTo(State.WATCHING);
        assertThat(held.held()).isTrue();
        assertThat(held.watchEndsAt()).isEqualTo(time.now().plus(Duration.ofMinutes(10)));
        assertThat(last("deployment_held").fields().get("score").toString()).contains("score=70");
        assertThat(deployments.tick(time.nanoTime(), card(7, 10))).as("the window is open again").isTrue();

        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime(), card(7, 10));

        Deployment failed = deployments.currentDeployment().orElseThrow();
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.reason()).isEqualTo("canary score 70 (7 pass, 3 high, 1 nodata), still marginal after its"
                + " hold; pass 90");
        assertThat(kinds()).containsSubsequence("deployment_started", "deployment_held", "deployment_failed",
                "action_started");
        assertThat(requests).singleElement().satisfies(request -> {
            assertThat(request.action()).isEqualTo("rollback");
            assertThat(request.environment()).containsEntry("ROLLGUARD_DEPLOYMENT_VERSION", "v2");
        });
        assertThat(last("action_started").fields()).containsEntry("trigger", "on_fail");
    }

    @Test
    void aFailingScoreFailsAtOnceAndRunsOnFail() throws Exception {
        deployments.start("v2", null);
        time.advance(Duration.ofMinutes(10));

        assertThat(deployments.tick(time.nanoTime(), card(1, 2))).as("the window is closed").isFalse();

        Deployment failed = deployments.currentDeployment().orElseThrow();
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.reason()).isEqualTo("canary score 50 (1 pass, 1 high, 1 nodata), below the marginal 60;"
                + " pass 90");
        assertThat(failed.score()).containsEntry("score", 50L);
        assertThat(requests).hasSize(1);
        assertThat(last("deployment_failed").fields().get("score").toString()).contains("score=50",
                "classification=high");
    }

    @Test
    void withoutAScoreTheWindowEndsHealthyAsBefore() throws Exception {
        deployments.start("v2", null);
        time.advance(Duration.ofMinutes(10));

        deployments.tick(time.nanoTime(), new Scorecard(List.of(new Scorecard.Entry("latency", LabelSet.EMPTY,
                Classification.NODATA, 1, null))));

        Deployment healthy = deployments.currentDeployment().orElseThrow();
        assertThat(healthy.state()).isEqualTo(State.HEALTHY);
        assertThat(healthy.reason()).isEqualTo("no rollback within its watch window");
        assertThat(healthy.score()).isNull();
    }

    @Test
    void aRecentDeploymentKeepsItsScoreCutDownSoThatTwentyFitInTheStateFile() throws Exception {
        deployments.start("v2", null);
        time.advance(Duration.ofMinutes(10));
        deployments.tick(time.nanoTime(), card(30, 100));
        deployments.start("v3", null); // v2, failed, becomes a recent deployment

        Map<String, Object> kept = deployments.recent().get(0).score();
        assertThat(kept).containsEntry("score", 30L).containsKeys("pass", "marginal", "counts");
        assertThat((List<?>) kept.get("rules")).as("the worse ones, ten at most").hasSize(10)
                .allSatisfy(entry -> assertThat(((Map<?, ?>) entry).get("classification")).isEqualTo("high"));
        assertThat(deployments.currentDeployment().orElseThrow().score()).isNull();
    }

    @Test
    void theScoreIsTheWeightedShareOfTheClassifiedThatPass() {
        Scorecard card = new Scorecard(List.of(
                new Scorecard.Entry("latency", LabelSet.EMPTY, Classification.PASS, 3, null),
                new Scorecard.Entry("errors", LabelSet.EMPTY, Classification.HIGH, 1, null),
                new Scorecard.Entry("throughput", LabelSet.EMPTY, Classification.LOW, 2, null),
                new Scorecard.Entry("memory", LabelSet.EMPTY, Classification.NODATA, 50, null)));

        assertThat(card.score()).as("3 of 6, no data not counted").isEqualTo(50);
        assertThat(new Scorecard(List.of(
                new Scorecard.Entry("a", LabelSet.EMPTY, Classification.PASS, 2, null),
                new Scorecard.Entry("b", LabelSet.EMPTY, Classification.HIGH, 1, null))).score())
                .as("66.7 rounds down").isEqualTo(66);
        assertThat(Scorecard.NONE.score()).isNaN();
        assertThat(card.describe()).isEqualTo("50 (1 pass, 1 high, 1 low, 1 nodata)");
    }
}
