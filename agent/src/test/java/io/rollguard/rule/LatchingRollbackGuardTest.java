package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.check.CheckRunner;
import io.rollguard.config.action.RollbackSettings;
import io.rollguard.journal.Event;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.journal.StateSection;
import io.rollguard.journal.StateStore;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * The rollback guard on its own, with a fake clock and a real state file: which rollback may start, step by step, and
 * what it keeps across a restart.
 */
class LatchingRollbackGuardTest {
    private static final List<String> NO_CHECKS = List.of();

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<List<String>> verifications = new ArrayList<>();
    private Journal journal;

    @BeforeEach
    void open() throws IOException {
        journal = EventJournal.open(dir, JournalLimits.DEFAULTS, time);
    }

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    /**
     * One step: {@code ask} whether {@code rule}'s rollback {@code action} may start in {@code deployment} (and start
     * it when the answer is {@code ok}), {@code end} the rollback of {@code rule}, {@code rearm} it ({@code *}: every
     * rule), or {@code wait} {@code minutes}.
     */
    record Step(String op, String rule, String action, String deployment, String want, int minutes) {
        static Step ask(String rule, String action, String deployment, String want) {
            return new Step("ask", rule, action, deployment, want, 0);
        }

        static Step end(String rule) {
            return new Step("end", rule, null, null, null, 0);
        }

        static Step rearm(String rule) {
            return new Step("rearm", rule, null, null, null, 0);
        }

        static Step waitMinutes(int minutes) {
            return new Step("wait", null, null, null, null, minutes);
        }

        @Override
        public String toString() {
            return op + " " + (rule == null ? minutes + "m" : rule) + (action == null ? "" : " " + action + "@"
                    + deployment + " -> " + want);
        }
    }

    static Stream<Arguments> steps() {
        return Stream.of(
                arguments("a first rollback runs", 3, List.of(Step.ask("errors", "rollback", "d1", "ok"))),
                arguments("a rule's rollback runs once until re-armed", 3, List.of(
                        Step.ask("errors", "rollback", "d1", "ok"), Step.end("errors"),
                        Step.ask("errors", "rollback", "d1", "skipped_latched"),
                        Step.ask("errors", "rollback", "d2", "skipped_latched"),
                        Step.rearm("errors"), Step.ask("errors", "rollback", "d2", "ok"))),
                arguments("a second rule with the same action does not roll the same deployment back again", 3,
                        List.of(Step.ask("errors", "rollback", "d1", "ok"), Step.end("errors"),
                                Step.ask("latency", "rollback", "d1", "skipped_already_rolled_back"))),
                arguments("nor while the first rollback still runs: it is already rolled back, not busy", 3,
                        List.of(Step.ask("errors", "rollback", "d1", "ok"),
                                Step.ask("latency", "rollback", "d1", "skipped_already_rolled_back"))),
                arguments("another rollback action for the same deployment runs", 3, List.of(
                        Step.ask("errors", "rollback", "d1", "ok"), Step.end("errors"),
                        Step.ask("latency", "restore-db", "d1", "ok"))),
                arguments("the same action for another deployment runs", 3, List.of(
                        Step.ask("errors", "rollback", "d1", "ok"), Step.end("errors"),
                        Step.ask("latency", "rollback", "d2", "ok"))),
                arguments("without a deployment only the rule's own latch holds", 3, List.of(
                        Step.ask("errors", "rollback", "", "ok"), Step.end("errors"),
                        Step.ask("latency", "rollback", "", "ok"))),
                arguments("re-arming the rule that ran lets the second one run", 3, List.of(
                        Step.ask("errors", "rollback", "d1", "ok"), Step.end("errors"), Step.rearm("errors"),
                        Step.ask("latency", "rollback", "d1", "ok"))),
                arguments("one rollback at a time", 3, List.of(
                        Step.ask("errors", "rollback", "d1", "ok"),
                        Step.ask("latency", "restore-db", "d1", "skipped_busy"), Step.end("errors"),
                        Step.ask("latency", "restore-db", "d1", "ok"))),
                arguments("max_per_hour counts the rollbacks that ran, by the clock", 2, List.of(
                        Step.ask("a", "rollback", "d1", "ok"), Step.end("a"),
                        Step.ask("b", "rollback", "d2", "ok"), Step.end("b"),
                        Step.ask("c", "rollback", "d3", "rate_limited"), Step.waitMinutes(59),
                        Step.ask("c", "rollback", "d3", "rate_limited"), Step.waitMinutes(2),
                        Step.ask("c", "rollback", "d3", "ok"))),
                arguments("a rollback skipped as already run does not count against max_per_hour", 2, List.of(
                        Step.ask("a", "rollback", "d1", "ok"), Step.end("a"),
                        Step.ask("b", "rollback", "d1", "skipped_already_rolled_back"),
                        Step.ask("c", "rollback", "d2", "ok"), Step.end("c"),
                        Step.ask("d", "rollback", "d3", "rate_limited"))),
                arguments("a latch outranks the hourly bound", 1, List.of(
                        Step.ask("a", "rollback", "d1", "ok"), Step.end("a"),
                        Step.ask("a", "rollback", "d1", "skipped_latched"),
                        Step.ask("b", "rollback", "d1", "skipped_already_rolled_back"),
                        Step.ask("b", "rollback", "d2", "rate_limited"))),
                arguments("re-arming everything lets every rule run again", 3, List.of(
                        Step.ask("a", "rollback", "d1", "ok"), Step.end("a"),
                        Step.ask("b", "restore-db", "d1", "ok"), Step.end("b"), Step.rearm("*"),
                        Step.ask("b", "rollback", "d1", "ok"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void decidesWhichRollbackMayStart(String name, int maxPerHour, List<Step> steps) {
        LatchingRollbackGuard guard = guard();
        RollbackSettings settings = new RollbackSettings(maxPerHour, NO_CHECKS, Duration.ofMinutes(2));
        long eventId = 1;
        for (Step step : steps) {
            switch (step.op()) {
                case "ask" -> {
                    Optional<RollbackGuard.Refusal> refusal = guard.refusal(step.rule(), step.action(), settings,
                            step.deployment());
                    assertThat(refusal.map(RollbackGuard.Refusal::result).orElse("ok")).as("%s", step)
                            .isEqualTo(step.want());
                    if (refusal.isEmpty()) {
                        guard.started(step.rule(), step.action(), step.deployment(), eventId++);
                    }
                }
                case "end" -> guard.ended(step.rule(), Optional.empty());
                case "rearm" -> guard.rearm(step.rule().equals("*") ? null : step.rule());
                case "wait" -> time.advance(Duration.ofMinutes(step.minutes()));
                default -> throw new IllegalArgumentException(step.op());
            }
        }
    }

    @Test
    void theRefusalsSayWhatBlocksTheRollbackAndWhatUnblocksIt() {
        LatchingRollbackGuard guard = guard();
        RollbackSettings settings = new RollbackSettings(1, NO_CHECKS, Duration.ofMinutes(2));
        guard.started("errors", "rollback", "d1-20260101T000000Z", 7);

        assertThat(guard.refusal("errors", "rollback", settings, "d1-20260101T000000Z")).contains(
                new RollbackGuard.Refusal("skipped_latched", "rollback already ran for errors at "
                        + "2026-01-01T00:00:00Z (event 7); re-arm with: rollguard rearm errors"));
        assertThat(guard.refusal("latency", "rollback", settings, "d1-20260101T000000Z")).contains(
                new RollbackGuard.Refusal("skipped_already_rolled_back", "rollback already rolled back deployment "
                        + "d1-20260101T000000Z for rule errors at 2026-01-01T00:00:00Z (event 7); re-arm with: "
                        + "rollguard rearm errors"));
        assertThat(guard.refusal("latency", "restore-db", settings, "d1-20260101T000000Z")).contains(
                new RollbackGuard.Refusal("skipped_busy", "another rollback is running"));
        guard.ended("errors", Optional.empty());
        assertThat(guard.refusal("latency", "restore-db", settings, "d1-20260101T000000Z")).contains(
                new RollbackGuard.Refusal("rate_limited", "1 rollbacks in the last hour (max_per_hour = 1); rate "
                        + "limited until 2026-01-01T01:00:00Z, after which the rule's next firing may roll back"));
    }

    @Test
    void latchesAndStartTimesHoldAcrossARestartWithTheirDeployment() throws Exception {
        LatchingRollbackGuard guard = guard();
        guard.started("errors", "rollback", "d1", 7);
        guard.ended("errors", Optional.of(true));
        guard.started("disk", "rollback", "", 9);

        LatchingRollbackGuard restarted = guard();

        assertThat(restarted.latches()).containsExactly(
                new RollbackGuard.Latch("disk", "rollback", time.now(), 9, ""),
                new RollbackGuard.Latch("errors", "rollback", time.now(), 7, "d1"));
        assertThat(restarted.refusal("latency", "rollback", new RollbackSettings(3, NO_CHECKS, Duration.ZERO), "d1"))
                .map(RollbackGuard.Refusal::result).contains("skipped_already_rolled_back");
        assertThat(new StateFile(dir).read().get("latches")).isEqualTo(Map.of(
                "errors", Map.of("action", "rollback", "at", "2026-01-01T00:00:00Z", "event_id", 7L,
                        "deployment_id", "d1"),
                "disk", Map.of("action", "rollback", "at", "2026-01-01T00:00:00Z", "event_id", 9L,
                        "running", true)));
        assertThat(new StateFile(dir).read().get("rollback_starts"))
                .isEqualTo(List.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
    }

    @Test
    void aRollbackRunningWhenTheAgentStoppedIsReportedOnceAfterTheRestartAndStaysLatched() throws Exception {
        LatchingRollbackGuard guard = guard();
        guard.started("errors", "rollback", "", 7);
        guard.ended("errors", Optional.empty());
        guard.started("disk", "rollback", "", 9); // the agent is killed while it runs

        LatchingRollbackGuard restarted = guard();

        assertThat(restarted.takeInterrupted()).containsExactly(
                new RollbackGuard.Latch("disk", "rollback", time.now(), 9, ""));
        assertThat(restarted.takeInterrupted()).as("once").isEmpty();
        assertThat(guard().takeInterrupted()).as("nor after another restart").isEmpty();
        assertThat(restarted.latched("disk")).isTrue();
        assertThat(restarted.refusal("disk", "rollback", new RollbackSettings(3, NO_CHECKS, Duration.ZERO), ""))
                .map(RollbackGuard.Refusal::result).contains("skipped_latched");
    }

    @Test
    void theLatchesThePreviousVersionWroteReadAndRenderBackAsTheyWere() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/journal/state.json")) {
            Files.write(dir.resolve("state.json"), in.readAllBytes());
        }
        StateStore state = new StateStore(new StateFile(dir));

        LatchingRollbackGuard guard = new LatchingRollbackGuard(state, this::verify, journal, time);

        assertThat(guard.latches()).extracting(RollbackGuard.Latch::rule, RollbackGuard.Latch::deploymentId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("slow", ""));
        assertThat(guard.sections()).isEqualTo(Map.of(
                StateSection.LATCHES, state.saved(StateSection.LATCHES).orElseThrow(),
                StateSection.ROLLBACK_STARTS, state.saved(StateSection.ROLLBACK_STARTS).orElseThrow()));
    }

    static Stream<Arguments> damagedFiles() {
        return Stream.of(
                arguments("torn", "{\"latches\": {\"errors\": {\"act"),
                arguments("latches of another shape", "{\"latches\": [\"errors\"]}"),
                arguments("a latch without its time", "{\"latches\": {\"errors\": {\"action\": \"rollback\", "
                        + "\"event_id\": 3}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damagedFiles")
    void aDamagedStateBlocksEveryRollbackUntilEverythingIsReArmed(String name, String content) throws Exception {
        Files.writeString(dir.resolve("state.json"), content);
        LatchingRollbackGuard guard = guard();
        RollbackSettings settings = new RollbackSettings(3, NO_CHECKS, Duration.ZERO);

        assertThat(guard.refusal("other", "rollback", settings, "d1")).get().satisfies(refusal -> {
            assertThat(refusal.result()).isEqualTo("skipped_latched");
            assertThat(refusal.message()).startsWith("the state file cannot be read, so whether this rollback "
                    + "already ran is unknown (");
        });
        assertThat(guard.rearm("errors")).as("one rule's re-arm is not enough").isEmpty();
        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo(content);

        assertThat(guard.rearm(null)).containsExactly("(state file)");

        assertThat(guard.refusal("other", "rollback", settings, "d1")).isEmpty();
        assertThat(new StateFile(dir).read()).containsEntry("latches", Map.of());
        assertThat(journal.latest(1)).extracting(Event::kind, e -> e.fields().get("rules"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("rule_rearmed", List.of("(state file)")));
    }

    @Test
    void aReloadDropsTheLatchesOfRemovedRulesOnly() throws Exception {
        LatchingRollbackGuard guard = guard();
        guard.started("errors", "rollback", "d1", 7);
        guard.ended("errors", Optional.of(false));
        guard.started("gone", "rollback", "d2", 8);
        guard.ended("gone", Optional.of(true));

        assertThat(guard.forget(rule -> !rule.equals("gone"))).containsExactly("gone");

        assertThat(guard.latches()).extracting(RollbackGuard.Latch::rule).containsExactly("errors");
        assertThat(guard.verified()).isEqualTo(Map.of("errors", false));
        assertThat(new StateFile(dir).read().get("latches").toString()).startsWith("{errors=").doesNotContain("gone");
        assertThat(guard.rollbacksStarted()).isEqualTo(Map.of("errors", 1L, "gone", 1L));
    }

    @Test
    void verificationRunsTheRollbacksChecksAndItsAnswerFreesTheSlot() {
        LatchingRollbackGuard guard = guard();
        RollbackSettings settings = new RollbackSettings(3, List.of("api", "db"), Duration.ofSeconds(30));
        guard.started("errors", "rollback", "d1", 7);

        CompletableFuture<CheckRunner.Verification> verification = guard.verify(settings);

        assertThat(verifications).containsExactly(List.of("api", "db", "PT30S", "PT5S"));
        assertThat(verification).isCompletedWithValue(new CheckRunner.Verification(true, "all pass"));
        assertThat(guard.refusal("disk", "restore-db", settings, "d1")).map(RollbackGuard.Refusal::result)
                .contains("skipped_busy");
        guard.ended("errors", Optional.of(true));
        assertThat(guard.refusal("disk", "restore-db", settings, "d1")).isEmpty();
        assertThat(guard.verified()).isEqualTo(Map.of("errors", true));
    }

    private LatchingRollbackGuard guard() {
        return new LatchingRollbackGuard(new StateStore(new StateFile(dir)), this::verify, journal, time);
    }

    private CompletableFuture<CheckRunner.Verification> verify(List<String> checks, Duration within,
            Duration pause) {
        List<String> call = new ArrayList<>(checks);
        call.add(within.toString());
        call.add(pause.toString());
        verifications.add(call);
        return CompletableFuture.completedFuture(new CheckRunner.Verification(true, "all pass"));
    }
}
