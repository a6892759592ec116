package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.RuleConfig;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.rule.EscalationLadders.Ladder;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ladders alone, driven second by second the way the responder drives them: which step or reminder is due when.
 * A step shows as its action, a reminder as {@code action*}, a step the guard refused as {@code action-}.
 */
class EscalationLaddersTest {
    private static final String ACTIONS = """
            [action.restart]
            run = ["/opt/app/restart.sh"]

            [action.rollback]
            run = ["/opt/app/rollback.sh"]
            rollback = true

            [action.page]
            type = "webhook"
            url = "http://127.0.0.1:9/hook"
            repeat_interval = "1m"

            [action.notify]
            type = "webhook"
            url = "http://127.0.0.1:9/notify"
            """;

    /** At second {@code at}: {@code fire}, {@code tick}, {@code end} the running step, or {@code clear}; what starts. */
    record Step(int at, String op, List<String> want) {
        static Step fire(int at, String... want) {
            return new Step(at, "fire", List.of(want));
        }

        static Step tick(int at, String... want) {
            return new Step(at, "tick", List.of(want));
        }

        static Step end(int at) {
            return new Step(at, "end", List.of());
        }

        static Step clear(int at) {
            return new Step(at, "clear", List.of());
        }
    }

    static Stream<Arguments> ladders() {
        return Stream.of(
                arguments("the next step starts escalate_after after the previous one ended",
                        "[\"restart\", \"rollback\", \"notify\"]", "1m", Set.of(), List.of(
                                Step.fire(0, "restart"), Step.tick(50), Step.end(60), Step.tick(119),
                                Step.tick(120, "rollback"), Step.tick(300), Step.end(300),
                                Step.tick(360, "notify"), Step.end(361), Step.tick(600))),
                arguments("a rule that clears stops its ladder", "[\"restart\", \"rollback\"]", "0s", Set.of(),
                        List.of(Step.fire(0, "restart"), Step.clear(5), Step.end(10), Step.tick(10))),
                arguments("reminders come every repeat_interval while the rule fires", "\"page\"", "1m", Set.of(),
                        List.of(Step.fire(0, "page"), Step.end(1), Step.tick(59), Step.tick(60, "page*"),
                                Step.tick(119), Step.tick(120, "page*"), Step.clear(130), Step.tick(180))),
                arguments("a reminder does not let the ladder overtake a step still running",
                        "[\"page\", \"restart\", \"rollback\"]", "0s", Set.of(), List.of(
                                Step.fire(0, "page"), Step.end(1), Step.tick(5, "restart"),
                                Step.tick(61, "page*"), Step.tick(70), Step.end(80), Step.tick(80, "rollback"))),
                arguments("a refused step ends at once: the next follows escalate_after later",
                        "[\"rollback\", \"notify\"]", "30s", Set.of("rollback"), List.of(
                                Step.fire(0, "rollback-"), Step.tick(29), Step.tick(30, "notify"))),
                arguments("a rule that fires again starts its ladder from the first step",
                        "[\"restart\", \"rollback\"]", "0s", Set.of(), List.of(
                                Step.fire(0, "restart"), Step.end(1), Step.tick(1, "rollback"), Step.end(2),
                                Step.clear(3), Step.fire(4, "restart"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ladders")
    void startsEachStepAndReminderWhenItIsDue(String name, String steps, String escalateAfter, Set<String> refused,
            List<Step> script) throws Exception {
        Config config = config("""
                [[rule]]
                name = "api-down"
                when = "1 > 0"
                action = %s
                escalate_after = "%s"
                """.formatted(steps, escalateAfter));
        EscalationLadders ladders = new EscalationLadders();
        RuleConfig rule = config.rules().get(0);
        Map<String, ActionConfig> actions = config.actions();
        for (Step step : script) {
            long now = Duration.ofSeconds(step.at()).toNanos();
            List<String> started = new ArrayList<>();
            switch (step.op()) {
                case "fire" -> {
                    Ladder ladder = ladders.fired(firing(rule), step.at());
                    ladder.takeNext().ifPresent(action -> started.add(start(ladder, action, false, refused, now)));
                }
                case "tick" -> {
                    for (Ladder ladder : ladders.active()) {
                        if (ladder.escalationDue(now)) {
                            ladder.takeNext().ifPresent(action -> started.add(start(ladder, action, false, refused,
                                    now)));
                        }
                        for (ActionConfig reminder : ladder.remindersDue(now, actions::get)) {
                            started.add(start(ladder, reminder.name(), true, refused, now));
                        }
                    }
                }
                case "end" -> ladders.active().forEach(ladder -> ladder.ended(false, now));
                case "clear" -> ladders.stopped(firing(rule).subject());
                default -> throw new IllegalArgumentException(step.op());
            }
            assertThat(started).as("%s at %ds", step.op(), step.at()).isEqualTo(step.want());
        }
    }

    @Test
    void aReloadThatKeepsTheRuleGoesOnUpItsNewLadderAndOneThatRemovesItEndsIt() throws Exception {
        Config before = config("""
                [[rule]]
                name = "api-down"
                when = "1 > 0"
                action = ["restart", "rollback"]
                escalate_after = "0s"

                [[rule]]
                name = "gone"
                when = "1 > 0"
                action = "restart"
                """);
        EscalationLadders ladders = new EscalationLadders();
        Ladder ladder = ladders.fired(firing(before.rules().get(0)), 1);
        ladders.fired(firing(before.rules().get(1)), 2);
        assertThat(ladder.takeNext()).contains("restart");
        ladder.started("restart", false, 0);
        ladder.ended(false, 0);
        Config after = config("""
                [[rule]]
                name = "api-down"
                when = "1 > 0"
                action = ["restart", "notify", "rollback"]
                escalate_after = "0s"
                """);

        ladders.reconfigure(Map.of("api-down", after.rules().get(0)));

        assertThat(ladders.active()).containsExactly(ladder);
        assertThat(ladder.escalationDue(1)).isTrue();
        assertThat(ladder.takeNext()).contains("notify");
    }

    @Test
    void anOnFailureLadderCarriesWhatFailedAndTheFiringOfItsRule() throws Exception {
        Config config = config("""
                [[rule]]
                name = "api-down"
                when = "1 > 0"
                action = "rollback"
                """);
        EscalationLadders ladders = new EscalationLadders();
        Ladder ladder = ladders.fired(firing(config.rules().get(0)), 7);

        Ladder fallback = ladder.onFailure("rollback it failed: exit 1");

        assertThat(fallback.failure()).isEqualTo("rollback it failed: exit 1");
        assertThat(fallback.firedEventId()).isEqualTo(7);
        assertThat(ladder.failure()).isNull();
        assertThat(ladders.active()).as("its own ladder, not the rule's").containsExactly(ladder);
    }

    private static String start(Ladder ladder, String action, boolean reminder, Set<String> refused, long now) {
        if (!reminder && refused.contains(action)) {
            ladder.skipped(now);
            return action + "-";
        }
        ladder.started(action, reminder, now);
        return action + (reminder ? "*" : "");
    }

    private static RuleTransition firing(RuleConfig rule) {
        return new RuleTransition(rule, LabelSet.EMPTY, RuleState.PENDING, RuleState.FIRING, "held", 1, 0,
                Basis.NONE, Instant.EPOCH, 0);
    }

    private static Config config(String rules) throws Exception {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", ACTIONS + rules, Path.of("/tmp")));
    }
}
