package io.rollguard.rule;

import static io.rollguard.rule.RuleState.FIRING;
import static io.rollguard.rule.RuleState.INACTIVE;
import static io.rollguard.rule.RuleState.PENDING;
import static io.rollguard.rule.RuleState.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The engine over a store filled by hand, with time stepped by hand: one state per label set, what missing data does,
 * and the rules' own series.
 */
class RuleEngineTest {
    private static final MetricFamily USED = MetricFamily.gauge("rollguard_filesystem_used_ratio", "Used share.");
    /** The check the rules' check_up reads: the loader refuses a rule over a series nothing produces. */
    private static final String API_CHECK = "\n[[check]]\nname = \"api\"\ntype = \"tcp\"\nport = 8080\n";
    private static final MetricFamily CHECK_UP = MetricFamily.gauge("rollguard_check_up", "1 if the check passed.");
    private static final Duration TICK = Duration.ofSeconds(10);
    private static final Duration STALE_AFTER = TICK.multipliedBy(3);

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final List<RuleTransition> transitions = new ArrayList<>();
    private RuleEngine engine;

    @Test
    void aRuleOverSeveralSeriesKeepsOneStatePerLabelSetAndItsTransitionsCarryTheLabels() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "20s"
                """);

        mounts(Map.of("/", 0.95, "/data", 0.5, "/var", 0.97));
        evaluate();
        time.advance(Duration.ofSeconds(10));
        mounts(Map.of("/", 0.96, "/data", 0.5, "/var", 0.2));
        evaluate();
        time.advance(Duration.ofSeconds(10));
        mounts(Map.of("/", 0.96, "/data", 0.5, "/var", 0.2));
        evaluate();

        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label())
                .containsExactly(
                        "disk-full{mount=\"/\"} inactive->pending",
                        "disk-full{mount=\"/var\"} inactive->pending",
                        "disk-full{mount=\"/var\"} pending->inactive",
                        "disk-full{mount=\"/\"} pending->firing");
        RuleTransition firing = transitions.get(3);
        assertThat(firing.labels()).isEqualTo(LabelSet.of("mount", "/"));
        assertThat(firing.value()).isEqualTo(0.96);
        assertThat(firing.threshold()).isEqualTo(0.9);
        assertThat(firing.reason()).isEqualTo("held 20s of for=20s");
        assertThat(firing.at()).isEqualTo(time.now());
        assertThat(states("disk-full")).containsExactly(
                Map.entry(LabelSet.of("mount", "/"), FIRING),
                Map.entry(LabelSet.of("mount", "/data"), INACTIVE),
                Map.entry(LabelSet.of("mount", "/var"), INACTIVE));
        assertThat(status("disk-full").state()).isEqualTo(FIRING);
    }

    @Test
    void aWindowedRuleRecordsItsWindowAndSamplesInTheTransition() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "api-flapping"
                when = 'avg_over(check_up{check="api"}, 1m) < 50%'
                """);

        for (double up : new double[] {1, 1, 0, 0, 0}) {
            checkUp(up);
            evaluate();
            time.advance(TICK);
        }

        assertThat(transitions).hasSize(1);
        RuleTransition firing = transitions.get(0);
        assertThat(firing.to()).isEqualTo(FIRING);
        assertThat(firing.labels()).isEqualTo(LabelSet.of("check", "api"));
        assertThat(firing.value()).isEqualTo(0.4);
        assertThat(firing.threshold()).isEqualTo(0.5);
        assertThat(firing.basis().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(firing.basis().samples()).isEqualTo(5);
    }

    @Test
    void aRuleWithoutAnyDataIsUnknownWithoutATransition() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                """);

        evaluate();
        time.advance(TICK);
        evaluate();

        assertThat(transitions).isEmpty();
        assertThat(status("disk-full").state()).isEqualTo(UNKNOWN);
        assertThat(series()).containsEntry("rollguard_rule_state{rule=\"disk-full\"}", 3.0);

        // Data arrives with labels: the rule-wide placeholder gives way to the real label sets.
        mounts(Map.of("/", 0.5));
        evaluate();

        assertThat(states("disk-full")).containsExactly(Map.entry(LabelSet.of("mount", "/"), INACTIVE));
        assertThat(transitions).isEmpty();
        assertThat(series()).doesNotContainKey("rollguard_rule_state{rule=\"disk-full\"}")
                .containsEntry("rollguard_rule_state{mount=\"/\",rule=\"disk-full\"}", 0.0);
    }

    @Test
    void aPendingRuleWhoseDataGoesStaleBecomesUnknownAndStartsOverWhenItComesBack() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "1m"
                """);
        mounts(Map.of("/", 0.95));
        evaluate();

        time.advance(STALE_AFTER); // still fresh: exactly three periods old
        evaluate();
        assertThat(states("disk-full")).containsExactly(Map.entry(LabelSet.of("mount", "/"), PENDING));
        time.advance(Duration.ofSeconds(1));
        evaluate();

        assertThat(transitions).extracting(t -> t.from() + "->" + t.to()).containsExactly(
                "INACTIVE->PENDING", "PENDING->UNKNOWN");
        RuleTransition unknown = transitions.get(1);
        assertThat(unknown.labels()).isEqualTo(LabelSet.of("mount", "/"));
        assertThat(unknown.value()).isNaN();
        assertThat(unknown.reason()).isEqualTo("no data: the series the condition reads are missing or stale");
        assertThat(states("disk-full")).containsExactly(Map.entry(LabelSet.of("mount", "/"), UNKNOWN));

        // Back, still breaching: for starts over rather than counting the time without data.
        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        evaluate();
        time.advance(Duration.ofSeconds(50));
        mounts(Map.of("/", 0.95));
        evaluate();

        assertThat(transitions).extracting(t -> t.from() + "->" + t.to()).containsExactly(
                "INACTIVE->PENDING", "PENDING->UNKNOWN", "UNKNOWN->PENDING");
    }

    @Test
    void aFiringRuleStaysFiringWhileItsDataIsStale() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                """);
        mounts(Map.of("/", 0.95));
        evaluate();
        double firingSince = time.now().getEpochSecond();

        time.advance(Duration.ofMinutes(5));
        evaluate();

        assertThat(transitions).extracting(RuleTransition::to).containsExactly(FIRING);
        assertThat(states("disk-full")).containsExactly(Map.entry(LabelSet.of("mount", "/"), FIRING));
        assertThat(series())
                .containsEntry("rollguard_rule_state{mount=\"/\",rule=\"disk-full\"}", 2.0)
                .containsEntry("rollguard_rule_firing_since_seconds{mount=\"/\",rule=\"disk-full\"}", firingSince)
                .doesNotContainKey("rollguard_rule_value{mount=\"/\",rule=\"disk-full\"}");
    }

    @Test
    void aLabelSetThatGoesAwayIsForgottenUnlessItIsFiring() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "1m"
                """);
        mounts(Map.of("/", 0.5, "/boot", 0.5, "/media/usb", 0.95, "/data", 0.99));
        evaluate();
        time.advance(Duration.ofMinutes(1));
        mounts(Map.of("/", 0.5, "/boot", 0.5, "/media/usb", 0.95, "/data", 0.99));
        evaluate();
        assertThat(states("disk-full")).containsEntry(LabelSet.of("mount", "/media/usb"), FIRING)
                .containsEntry(LabelSet.of("mount", "/data"), FIRING);
        transitions.clear();
        time.advance(TICK);
        mounts(Map.of("/", 0.5, "/data", 0.5));
        evaluate();

        // Each went: /boot to unknown, and forgotten; /media/usb stays firing, as missing data is no all-clear.
        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label())
                .containsExactly("disk-full{mount=\"/data\"} firing->inactive",
                        "disk-full{mount=\"/boot\"} inactive->unknown");
        transitions.clear();
        time.advance(TICK);
        mounts(Map.of("/", 0.5, "/data", 0.5));
        evaluate();

        assertThat(states("disk-full")).containsExactly(
                Map.entry(LabelSet.of("mount", "/"), INACTIVE),
                Map.entry(LabelSet.of("mount", "/data"), INACTIVE),
                Map.entry(LabelSet.of("mount", "/media/usb"), FIRING));
        assertThat(series()).doesNotContainKey("rollguard_rule_state{mount=\"/boot\",rule=\"disk-full\"}")
                .containsEntry("rollguard_rule_state{mount=\"/media/usb\",rule=\"disk-full\"}", 2.0);
        assertThat(transitions).isEmpty();
    }

    @Test
    void aFiringLabelSetWhoseSeriesAreGoneResolvesOnceAfterResolveAfter() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                resolve_after = "1m"
                """);
        mounts(Map.of("/", 0.5, "/media/usb", 0.95));
        evaluate();
        transitions.clear();

        // The stick is pulled out: its series is gone for good, the other mount's stays.
        for (int tick = 1; tick <= 6; tick++) {
            time.advance(TICK);
            mounts(Map.of("/", 0.5));
            evaluate();
            assertThat(states("disk-full")).as("after %d ticks", tick)
                    .containsEntry(LabelSet.of("mount", "/media/usb"), FIRING);
        }
        time.advance(TICK);
        mounts(Map.of("/", 0.5));
        evaluate();

        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label() + ": "
                + t.reason()).containsExactly("disk-full{mount=\"/media/usb\"} firing->inactive: series gone: no data "
                        + "for 1m of resolve_after=1m");
        assertThat(states("disk-full")).containsExactly(Map.entry(LabelSet.of("mount", "/"), INACTIVE));
        assertThat(series()).doesNotContainKey("rollguard_rule_state{mount=\"/media/usb\",rule=\"disk-full\"}");
        time.advance(TICK);
        mounts(Map.of("/", 0.5));
        evaluate();
        assertThat(transitions).as("resolved once").hasSize(1);
    }

    @Test
    void aRuleWhoseOnlySeriesIsGoneResolvesAndThenRestsUnknownQuietly() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "data-full"
                when = 'filesystem_used_ratio{mount="/data"} > 90%'
                resolve_after = "30s"
                """);
        mounts(Map.of("/data", 0.95));
        evaluate();
        time.advance(TICK);
        mounts(Map.of());
        evaluate();
        time.advance(Duration.ofSeconds(30));
        evaluate();
        time.advance(TICK);
        evaluate();
        time.advance(TICK);
        evaluate();

        assertThat(transitions).extracting(t -> t.from().label() + "->" + t.to().label())
                .containsExactly("inactive->firing", "firing->inactive");
        assertThat(transitions.get(1).reason()).startsWith("series gone");
        assertThat(status("data-full").state()).isEqualTo(UNKNOWN);
    }

    @Test
    void aSelectorThatMatchesNothingForThreeTicksIsTheRulesReasonUntilItMatches() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="apii"} == 0'
                """);
        for (int tick = 0; tick < RuleEngine.NO_MATCH_TICKS; tick++) {
            checkUp(1);
            evaluate();
            assertThat(status("api-down").problem()).as("after %d ticks", tick).isEmpty();
            time.advance(TICK);
        }
        checkUp(1);
        evaluate();

        String reason = "no series match `check_up{check=\"apii\"}`";
        assertThat(status("api-down").problem()).isEqualTo(reason);
        assertThat(status("api-down").series()).isZero();
        assertThat(status("api-down").instances()).extracting(RuleStatus.Instance::reason).containsExactly(reason);
        assertThat(series()).containsEntry("rollguard_rule_series{rule=\"api-down\"}", 0.0);
        assertThat(transitions).as("a quiet unknown, as any rule without data").isEmpty();

        time.advance(TICK);
        store.replace("check:apii", new SeriesWriter().put(CHECK_UP, LabelSet.of("check", "apii"), 1),
                time.nanoTime(), TICK, STALE_AFTER);
        evaluate();
        assertThat(status("api-down").problem()).isEmpty();
        assertThat(series()).containsEntry("rollguard_rule_series{rule=\"api-down\"}", 1.0);
    }

    @Test
    void theRuleSeriesCountsWhatEachSelectorMatchesAndAbsentMatchingNothingIsNoProblem() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = 'filesystem_used_ratio > 90% and absent(check_up{check="api"})'
                """);
        for (int tick = 0; tick <= RuleEngine.NO_MATCH_TICKS; tick++) {
            mounts(Map.of("/", 0.5, "/data", 0.95, "/var", 0.2));
            evaluate();
            time.advance(TICK);
        }

        assertThat(series()).containsEntry("rollguard_rule_series{rule=\"disk-full\"}", 3.0);
        assertThat(status("disk-full").problem()).isEmpty();
    }

    @Test
    void theRulesSeriesCarryTheRuleAndTheLabelSet() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "10s"

                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 90%"
                """);
        mounts(Map.of("/", 0.95, "/data", 0.5));
        evaluate();
        time.advance(TICK);
        mounts(Map.of("/", 0.95, "/data", 0.5));
        evaluate();

        assertThat(series()).isEqualTo(Map.ofEntries(
                Map.entry("rollguard_filesystem_used_ratio{mount=\"/\"}", 0.95),
                Map.entry("rollguard_filesystem_used_ratio{mount=\"/data\"}", 0.5),
                Map.entry("rollguard_rule_state{mount=\"/\",rule=\"disk-full\"}", 2.0),
                Map.entry("rollguard_rule_state{mount=\"/data\",rule=\"disk-full\"}", 0.0),
                Map.entry("rollguard_rule_series{rule=\"disk-full\"}", 2.0),
                Map.entry("rollguard_rule_series{rule=\"memory-pressure\"}", 0.0),
                Map.entry("rollguard_rule_info{rule=\"disk-full\",severity=\"warning\"}", 1.0),
                Map.entry("rollguard_rule_info{rule=\"memory-pressure\",severity=\"warning\"}", 1.0),
                Map.entry("rollguard_rule_value{mount=\"/\",rule=\"disk-full\"}", 0.95),
                Map.entry("rollguard_rule_value{mount=\"/data\",rule=\"disk-full\"}", 0.5),
                Map.entry("rollguard_rule_firing_since_seconds{mount=\"/\",rule=\"disk-full\"}",
                        (double) time.now().getEpochSecond()),
                Map.entry("rollguard_rule_state{rule=\"memory-pressure\"}", 3.0),
                Map.entry("rollguard_rule_evaluation_failures_total{rule=\"disk-full\"}", 0.0),
                Map.entry("rollguard_rule_evaluation_failures_total{rule=\"memory-pressure\"}", 0.0)));
    }

    @Test
    void aRuleThatFailsCountsItAndTheOthersGoOn() throws ConfigException {
        // The evaluator has no input that makes it throw; what follows a transition can, and is isolated the same way.
        Consumer<RuleTransition> listener = transition -> {
            if (transition.rule().name().equals("broken")) {
                throw new IllegalStateException("cannot handle " + transition.subject());
            }
            transitions.add(transition);
        };
        engine = engine("""
                [[rule]]
                name = "broken"
                when = "filesystem_used_ratio > 90%"

                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                """, listener);
        mounts(Map.of("/", 0.95));

        evaluate();

        assertThat(transitions).extracting(RuleTransition::subject).containsExactly("disk-full{mount=\"/\"}");
        assertThat(series()).containsEntry("rollguard_rule_evaluation_failures_total{rule=\"broken\"}", 1.0)
                .containsEntry("rollguard_rule_evaluation_failures_total{rule=\"disk-full\"}", 0.0);
        assertThat(status("broken").instances().get(0).reason())
                .isEqualTo("cannot be evaluated: IllegalStateException: cannot handle broken{mount=\"/\"}");
    }

    @Test
    void aDeployScopedRuleRestsInactiveOutsideAWatchWindow() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "latency-regression"
                when = "filesystem_used_ratio > 90%"
                scope = "deploy"
                """);
        mounts(Map.of("/", 0.95));

        evaluate();
        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        evaluate();

        assertThat(transitions).isEmpty();
        assertThat(status("latency-regression").state()).isEqualTo(INACTIVE);
        assertThat(status("latency-regression").instances()).isEmpty();
        assertThat(series()).doesNotContainKey("rollguard_rule_state{mount=\"/\",rule=\"latency-regression\"}");
    }

    @Test
    void aDeployScopedRuleFiringWhenTheWatchWindowClosesEndsWithATransition() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "latency-regression"
                when = "filesystem_used_ratio > 90%"
                scope = "deploy"
                """);
        mounts(Map.of("/", 0.95));
        engine.evaluate(time.nanoTime(), true);
        time.advance(TICK);
        mounts(Map.of("/", 0.95));

        evaluate(); // the window has closed

        // Whoever acts on transitions must hear that it stopped firing, or its ladder and reminders go on for ever.
        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label())
                .containsExactly("latency-regression{mount=\"/\"} inactive->firing",
                        "latency-regression{mount=\"/\"} firing->inactive");
        assertThat(transitions.get(1).reason()).isEqualTo("the deployment's watch window closed");
        assertThat(status("latency-regression").state()).isEqualTo(INACTIVE);
    }

    @Test
    void onMissingFireWithoutAnyDataFiresWithATransition() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "api-silent"
                when = 'check_up{check="api"} == 0'
                on_missing = "fire"
                """);

        evaluate();

        // A firing nobody hears of runs no action: only the step to unknown may be silent.
        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label())
                .containsExactly("api-silent inactive->firing");
        assertThat(transitions.get(0).reason()).isEqualTo("no data (on_missing = \"fire\"), for=0s");
    }

    @Test
    void onMissingFireStopsOnceTheFirstDataArrives() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "1m"
                on_missing = "fire"
                """);
        evaluate(); // the check has not reported yet
        time.advance(TICK);
        checkUp(1);
        evaluate();

        for (int i = 0; i < 12; i++) {
            time.advance(TICK);
            checkUp(1);
            evaluate();
        }

        // The check passes all along: the rule-wide "no data" must not go on to fire.
        assertThat(transitions).extracting(t -> t.subject() + " " + t.from().label() + "->" + t.to().label())
                .containsExactly("api-down inactive->pending", "api-down pending->inactive");
        assertThat(transitions.get(1).reason()).isEqualTo("data arrived; each label set has its own state now");
        assertThat(states("api-down")).containsExactly(Map.entry(LabelSet.of("check", "api"), INACTIVE));
    }

    @Test
    void wallClockJumpsNeitherFireNorResetAPendingRuleNorClearAFiringOne() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "1m"
                clear_for = "1m"
                """);
        mounts(Map.of("/", 0.95));
        evaluate();
        assertThat(states("disk-full")).containsValue(PENDING);

        // An hour forward: far past for=1m by the wall, but only 10 s have passed.
        time.jumpWallClock(Duration.ofHours(1));
        step(0.95);
        assertThat(states("disk-full")).as("not fired early").containsValue(PENDING);
        // An hour back: the pending rule keeps what it has held so far.
        time.jumpWallClock(Duration.ofHours(-1));
        for (int i = 0; i < 4; i++) {
            step(0.95);
        }
        assertThat(states("disk-full")).as("50 s held").containsValue(PENDING);
        step(0.95);
        assertThat(states("disk-full")).as("60 s held").containsValue(FIRING);
        assertThat(transitions.get(transitions.size() - 1).reason()).isEqualTo("held 1m of for=1m");

        // Firing, the condition false: a jump forward does not make clear_for pass, a jump back does not restart it.
        step(0.5);
        time.jumpWallClock(Duration.ofHours(2));
        step(0.5);
        assertThat(states("disk-full")).containsValue(FIRING);
        time.jumpWallClock(Duration.ofHours(-3));
        for (int i = 0; i < 4; i++) {
            step(0.5);
        }
        assertThat(states("disk-full")).as("50 s false").containsValue(FIRING);
        step(0.5);
        assertThat(states("disk-full")).as("60 s false").containsValue(INACTIVE);
        assertThat(transitions).extracting(t -> t.from().label() + "->" + t.to().label())
                .containsExactly("inactive->pending", "pending->firing", "firing->inactive");
    }

    /** One tick later: the sampler writes the value, the engine evaluates. */
    private void step(double used) {
        time.advance(TICK);
        mounts(Map.of("/", used));
        evaluate();
    }

    @Test
    void aReloadKeepsTheStateOfAnUnchangedRuleAndTakesItsNewSeverityAtOnce() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "20s"
                severity = "warning"
                """);
        mounts(Map.of("/", 0.95));
        evaluate();
        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        evaluate();
        assertThat(status("disk-full").state()).isEqualTo(PENDING);

        List<String> kept = engine.reconfigure(rules("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "20s"
                severity = "critical"
                """), Duration.ofMinutes(10));
        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        evaluate();

        assertThat(kept).containsExactly("disk-full");
        assertThat(status("disk-full").state()).as("20s held across the reload").isEqualTo(FIRING);
        assertThat(status("disk-full").rule().severity()).isEqualTo(io.rollguard.config.RuleConfig.Severity.CRITICAL);
        assertThat(transitions).extracting(t -> t.from().label() + "->" + t.to().label())
                .containsExactly("inactive->pending", "pending->firing");
        assertThat(transitions.get(1).rule().severity()).isEqualTo(io.rollguard.config.RuleConfig.Severity.CRITICAL);
    }

    @Test
    void aReloadThatChangesForRestartsTheRuleInactiveAndEndsItsFiringFirst() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                """);
        mounts(Map.of("/", 0.95));
        evaluate();
        assertThat(status("disk-full").state()).isEqualTo(FIRING);

        List<String> kept = engine.reconfigure(rules("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                for = "30s"
                """), Duration.ofMinutes(10));

        assertThat(kept).isEmpty();
        assertThat(transitions).extracting(t -> t.from().label() + "->" + t.to().label() + ": " + t.reason())
                .containsExactly("inactive->firing: condition true, for=0s",
                        "firing->inactive: the rule changed with a reload and starts again");
        assertThat(status("disk-full").instances()).isEmpty();

        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        evaluate();
        assertThat(status("disk-full").state()).as("for = 30s counts from the reload").isEqualTo(PENDING);
    }

    @Test
    void aReloadThatRemovesAFiringRuleEndsItAndItsSeriesGo() throws ConfigException {
        engine = engine("""
                [[rule]]
                name = "disk-full"
                when = "filesystem_used_ratio > 90%"
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                """);
        mounts(Map.of("/", 0.95));
        checkUp(1);
        evaluate();

        engine.reconfigure(rules("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                """), Duration.ofMinutes(10));
        time.advance(TICK);
        mounts(Map.of("/", 0.95));
        checkUp(1);
        evaluate();

        assertThat(transitions).last().extracting(t -> t.subject() + " " + t.to().label() + ": " + t.reason())
                .isEqualTo("disk-full{mount=\"/\"} inactive: the rule was removed by a reload");
        assertThat(engine.statuses()).extracting(s -> s.rule().name()).containsExactly("api-down");
        assertThat(series().keySet()).noneMatch(key -> key.contains("disk-full"));
    }

    private static List<io.rollguard.config.RuleConfig> rules(String toml) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", toml + API_CHECK, Path.of("/etc/rollguard")))
                .rules();
    }

    private RuleEngine engine(String toml) throws ConfigException {
        return engine(toml, transitions::add);
    }

    private RuleEngine engine(String toml, Consumer<RuleTransition> listener) throws ConfigException {
        return new RuleEngine(rules(toml), store, listener, time, TICK);
    }

    private void evaluate() {
        engine.evaluate(time.nanoTime(), false);
    }

    private void mounts(Map<String, Double> used) {
        SeriesWriter out = new SeriesWriter();
        new TreeMap<>(used).forEach((mount, ratio) -> out.put(USED, LabelSet.of("mount", mount), ratio));
        store.replace("filesystem", out, time.nanoTime(), TICK, STALE_AFTER);
    }

    private void checkUp(double up) {
        store.replace("check:api", new SeriesWriter().put(CHECK_UP, LabelSet.of("check", "api"), up),
                time.nanoTime(), TICK, STALE_AFTER);
    }

    private RuleStatus status(String rule) {
        return engine.statuses().stream().filter(s -> s.rule().name().equals(rule)).findFirst().orElseThrow();
    }

    private Map<LabelSet, RuleState> states(String rule) {
        Map<LabelSet, RuleState> states = new LinkedHashMap<>();
        status(rule).instances().forEach(instance -> states.put(instance.labels(), instance.state()));
        return states;
    }

    /** The fresh series, keyed as Prometheus prints them. */
    private Map<String, Double> series() {
        Map<String, Double> series = new TreeMap<>();
        for (Series s : store.fresh(time.nanoTime())) {
            series.put(s.key().toString(), s.value());
        }
        return series;
    }
}
