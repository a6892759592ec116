package io.rollguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollguard.action.ActionOutcome;
import io.rollguard.check.CheckResult;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.rule.IncidentRecorder;
import io.rollguard.rule.Responder;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleStatus;
import io.rollguard.rule.RuleTransition;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
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
 * Baselines with a fake clock, a real store, rule engine, responder, journal and {@code state.json}: captured from
 * the history before a deployment's start, compared against inside its window, kept across a restart.
 */
class DeploymentBaselinesTest {
    private static final String CONFIG = """
            [deploy]
            watch = "5m"
            baseline_window = "2m"

            # What writes the series the rules read (the test writes them itself): a rule over a series nothing
            # produces is refused.
            [[check]]
            name = "api"
            type = "tcp"
            port = 8080

            [[rule]]
            name = "slow"
            when = 'avg_over(check_duration_seconds{check="api"}, 30s) > 1.2 * baseline(check_duration_seconds{check="api"})'
            scope = "deploy"

            [[rule]]
            name = "slower_than_before"
            when = 'check_duration_seconds{check="api"} > 2 * baseline(check_duration_seconds{check="api"})'
            """;
    private static final String API = "check_duration_seconds{check=\"api\"}";
    private static final MetricFamily DURATION = MetricFamily.gauge("rollguard_check_duration_seconds", "test");
    private static final Duration PERIOD = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final List<RuleTransition> transitions = new ArrayList<>();
    private Config config;
    private CheckRunner checks;
    private Journal journal;
    private Responder responder;
    private Deployments deployments;
    private RuleEngine engine;

    @BeforeEach
    void open() throws Exception {
        config = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG, dir));
        checks = new CheckRunner(config.checks(), check -> () -> CheckResult.passed("ok", 0), new SeriesStore(), time, time);
        journal = EventJournal.open(dir.resolve("state"), JournalLimits.DEFAULTS, time);
        engine = new RuleEngine(config.rules(), store, transitions::add, time, PERIOD,
                config.deploy().baselineWindow());
        restart();
    }

    /** A new responder and deployments over the same state directory, as after the agent restarted. */
    private void restart() {
        ResponsePath path = ResponsePath.of(config.rules(), config.actions(),
                request -> new CompletableFuture<ActionOutcome>(), checks, journal, dir.resolve("state"), time,
                "web-1", false);
        deployments = new Deployments(config.deploy(), path.state(), path.guard(), path.deploymentActions(), journal,
                time, store, Deployments.baselineSelectors(config.rules()));
        responder = path.responder(deployments, IncidentRecorder.NONE);
    }

    @AfterEach
    void close() throws Exception {
        checks.close();
        journal.close();
    }

    @Test
    void theRulesBaselineSelectorsAreCollectedOnce() {
        assertThat(Deployments.baselineSelectors(config.rules())).hasSize(1);
    }

    @Test
    void aStartFreezesEachMatchingSeriesAverageOverTheWindowBeforeIt() throws Exception {
        for (int i = 0; i < 6; i++) {
            write(9.0, 5.0); // older than the 2m window: not in the baseline
        }
        for (int i = 0; i < 6; i++) {
            write(0.2, 5.0);
        }
        for (int i = 0; i < 5; i++) {
            write(0.4, 5.0);
        }
        writeNow(0.4, 5.0); // the start's own moment: samples aged 0s..110s, twelve of them

        Deployment started = deployments.start("v2", null);

        assertThat(started.baselines().values()).singleElement().satisfies(value -> {
            assertThat(value.selector()).isEqualTo(API);
            assertThat(value.labels()).isEqualTo(LabelSet.of("check", "api"));
            assertThat(value.value()).isCloseTo((6 * 0.2 + 6 * 0.4) / 12, within(1e-12));
            assertThat(value.samples()).isEqualTo(12);
        });
        assertThat(started.baselines().missing()).isEmpty();
        assertThat(started.baselines().window()).isEqualTo(Duration.ofMinutes(2));
        Map<String, Object> shown = started.toMap();
        assertThat(shown).containsEntry("baseline_window", "2m");
        assertThat(shown.get("baselines")).isEqualTo(List.of(Map.of("selector", API,
                "labels", Map.of("check", "api"), "value", started.baselines().values().get(0).value(),
                "samples", 12)));
        Event event = journal.since(0, 1000).stream().filter(e -> e.kind().equals("deployment_started"))
                .findFirst().orElseThrow();
        assertThat(event.fields()).containsEntry("baseline_window", "2m").containsKey("baselines");
        assertThat(event.fields().get("baselines").toString()).contains(API);
        deployments.finish();
        assertThat(journal.since(0, 1000).stream().filter(e -> e.kind().equals("deployment_finished"))
                .findFirst().orElseThrow().fields()).as("journaled once, at the start")
                .doesNotContainKeys("baselines", "baseline_window", "baselines_missing");
    }

    @Test
    void aRuleAgainstTheBaselineFiresAfterASlowdownOnlyInsideTheWindow() {
        for (int i = 0; i < 12; i++) {
            writeAndEvaluate(0.3);
        }
        writeAndEvaluate(1.0); // a slowdown before any deployment: nothing to compare with
        writeAndEvaluate(1.0);
        assertThat(state("slow")).isEqualTo(RuleState.INACTIVE);
        assertThat(state("slower_than_before")).as("no baseline, no data").isEqualTo(RuleState.UNKNOWN);
        for (int i = 0; i < 12; i++) {
            writeAndEvaluate(0.3);
        }

        deployments.start("v2", null);
        for (int i = 0; i < 6; i++) {
            writeAndEvaluate(0.32); // a little slower, within 20%
        }
        assertThat(state("slow")).isEqualTo(RuleState.INACTIVE);
        assertThat(state("slower_than_before")).isEqualTo(RuleState.INACTIVE);

        writeAndEvaluate(1.0);
        writeAndEvaluate(1.0);
        assertThat(state("slow")).isEqualTo(RuleState.FIRING);
        assertThat(state("slower_than_before")).isEqualTo(RuleState.FIRING);
        RuleStatus.Instance slow = status("slow").instances().get(0);
        assertThat(slow.labels()).isEqualTo(LabelSet.of("check", "api"));
        assertThat(slow.threshold()).as("1.2 x the frozen 0.3").isCloseTo(0.36, within(1e-9));

        for (int i = 0; i < 30; i++) {
            writeAndEvaluate(1.0); // past the 5m watch window
        }
        assertThat(state("slow")).as("a deploy-scoped rule rests outside the window").isEqualTo(RuleState.INACTIVE);
    }

    @Test
    void aRestartMidWindowKeepsTheSameBaselines() {
        for (int i = 0; i < 12; i++) {
            write(0.3, 1.0);
        }
        Deployment started = deployments.start("v2", null);
        time.advance(Duration.ofMinutes(1));

        restart();

        Deployment resumed = deployments.currentDeployment().orElseThrow();
        assertThat(resumed.baselines()).isEqualTo(started.baselines());
        assertThat(deployments.baselines().lookup(API)).singleElement()
                .satisfies(element -> assertThat(element.value()).isCloseTo(0.3, within(1e-12)));
    }

    @Test
    void onlyTheCurrentDeploymentKeepsItsSamplesAndOnlyInTheStateFile() {
        for (int i = 0; i < 12; i++) {
            write(0.3, 1.0);
        }
        deployments.start("v2", null);

        Map<?, ?> saved = (Map<?, ?>) deployments.stateMap().get("current");
        assertThat(saved.get("baseline_samples").toString()).contains("values=[0.3, 0.3");
        assertThat(deployments.toMap().get("current").toString()).as("the API counts them")
                .contains("count=11").doesNotContain("values=");
        deployments.start("v3", null);
        assertThat(deployments.recent().get(0).baselines().samples()).isEmpty();
        assertThat(deployments.stateMap().get("recent").toString()).doesNotContain("values=");
    }

    @Test
    void withoutHistoryNothingIsCapturedAndTheRuleIsUnknownNotFiring() {
        Deployment started = deployments.start("v2", null);

        assertThat(started.baselines().values()).isEmpty();
        assertThat(started.baselines().missing()).containsExactly(API);
        assertThat(journal.since(0, 1000).stream().filter(e -> e.kind().equals("deployment_started"))
                .findFirst().orElseThrow().fields()).containsEntry("baselines_missing", List.of(API));
        for (int i = 0; i < 6; i++) {
            writeAndEvaluate(5.0);
        }
        assertThat(state("slow")).isEqualTo(RuleState.UNKNOWN);
        assertThat(state("slower_than_before")).isEqualTo(RuleState.UNKNOWN);
        assertThat(transitions).noneMatch(t -> t.to() == RuleState.FIRING);
    }

    private void writeAndEvaluate(double api) {
        writeNow(api, 1.0);
        engine.evaluate(time.nanoTime(), deployments.tick(time.nanoTime()), deployments.baselines());
        time.advance(PERIOD);
    }

    /** One producer run at the current time, then the clock moves on by its period. */
    private void write(double api, double db) {
        writeNow(api, db);
        time.advance(PERIOD);
    }

    private void writeNow(double api, double db) {
        store.replace("test", new SeriesWriter().put(DURATION, LabelSet.of("check", "api"), api)
                .put(DURATION, LabelSet.of("check", "db"), db), time.nanoTime(), PERIOD, PERIOD.multipliedBy(3));
    }

    private RuleStatus status(String rule) {
        return engine.statuses().stream().filter(s -> s.rule().name().equals(rule)).findFirst().orElseThrow();
    }

    private RuleState state(String rule) {
        return status(rule).state();
    }
}
