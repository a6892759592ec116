package io.rollguard.rule;

import static io.rollguard.rule.Observation.FALSE;
import static io.rollguard.rule.Observation.MISSING;
import static io.rollguard.rule.Observation.TRUE;
import static io.rollguard.rule.RuleState.FIRING;
import static io.rollguard.rule.RuleState.INACTIVE;
import static io.rollguard.rule.RuleState.PENDING;
import static io.rollguard.rule.RuleState.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleStateMachineTest {
    private static final long SECOND = 1_000_000_000L;

    record Step(int at, Observation observed, RuleState want) {}

    private static Step at(int second, Observation observed, RuleState want) {
        return new Step(second, observed, want);
    }

    /** resolve_after in the rows that do not exercise it: longer than any of them lasts. */
    private static final int NEVER = 3600;

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("fires after for=60s", 60, 0, false, NEVER, List.of(
                        at(0, TRUE, PENDING), at(59, TRUE, PENDING), at(60, TRUE, FIRING), at(90, FALSE, INACTIVE))),
                arguments("for=0s fires at once", 0, 0, false, NEVER, List.of(
                        at(0, FALSE, INACTIVE), at(5, TRUE, FIRING), at(10, FALSE, INACTIVE))),
                arguments("for must hold continuously", 60, 0, false, NEVER, List.of(
                        at(0, TRUE, PENDING), at(30, FALSE, INACTIVE), at(35, TRUE, PENDING), at(90, TRUE, PENDING),
                        at(95, TRUE, FIRING))),
                arguments("clear_for gives hysteresis against flapping", 0, 30, false, NEVER, List.of(
                        at(0, TRUE, FIRING), at(10, FALSE, FIRING), at(20, TRUE, FIRING), at(25, FALSE, FIRING),
                        at(54, FALSE, FIRING), at(55, FALSE, INACTIVE))),
                arguments("missing data is unknown and resets pending", 60, 0, false, NEVER, List.of(
                        at(0, TRUE, PENDING), at(50, MISSING, UNKNOWN), at(55, TRUE, PENDING), at(110, TRUE, PENDING),
                        at(115, TRUE, FIRING))),
                arguments("unknown clears to inactive when data returns false", 60, 0, false, NEVER, List.of(
                        at(0, MISSING, UNKNOWN), at(5, MISSING, UNKNOWN), at(10, FALSE, INACTIVE))),
                arguments("a firing rule stays firing without data", 0, 30, false, NEVER, List.of(
                        at(0, TRUE, FIRING), at(10, FALSE, FIRING), at(20, MISSING, FIRING), at(45, FALSE, FIRING),
                        at(74, FALSE, FIRING), at(75, FALSE, INACTIVE))),
                arguments("on_missing = fire treats no data as a breach", 10, 0, true, NEVER, List.of(
                        at(0, MISSING, PENDING), at(10, MISSING, FIRING), at(20, FALSE, INACTIVE))),
                arguments("a firing label set whose series are gone resolves after resolve_after", 0, 0, false, 300,
                        List.of(at(0, TRUE, FIRING), at(10, MISSING, FIRING), at(309, MISSING, FIRING),
                                at(310, MISSING, INACTIVE), at(315, MISSING, UNKNOWN))),
                arguments("data back, even false while clear_for runs, restarts resolve_after", 0, 60, false, 300,
                        List.of(at(0, TRUE, FIRING), at(10, MISSING, FIRING), at(200, TRUE, FIRING),
                                at(205, MISSING, FIRING), at(400, FALSE, FIRING), at(405, MISSING, FIRING),
                                at(704, MISSING, FIRING), at(705, MISSING, INACTIVE))),
                arguments("resolve_after does not reach a rule that is not firing", 60, 0, false, 30, List.of(
                        at(0, TRUE, PENDING), at(10, MISSING, UNKNOWN), at(100, MISSING, UNKNOWN),
                        at(105, FALSE, INACTIVE))),
                arguments("on_missing = fire: no data is a breach, never gone", 0, 0, true, 30, List.of(
                        at(0, TRUE, FIRING), at(10, MISSING, FIRING), at(100, MISSING, FIRING),
                        at(110, FALSE, INACTIVE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void transitions(String name, int forSeconds, int clearSeconds, boolean fireOnMissing, int resolveSeconds,
            List<Step> steps) {
        RuleStateMachine machine = new RuleStateMachine(Duration.ofSeconds(forSeconds), Duration.ofSeconds(clearSeconds),
                fireOnMissing, Duration.ofSeconds(resolveSeconds));
        for (Step step : steps) {
            machine.observe(step.observed(), step.at() * SECOND);
            assertThat(machine.state()).as("t=%ds %s", step.at(), step.observed()).isEqualTo(step.want());
        }
    }

    @Test
    void everyTransitionSaysWhy() {
        RuleStateMachine machine = new RuleStateMachine(Duration.ofSeconds(60), Duration.ofSeconds(30), false,
                Duration.ofMinutes(5));

        assertThat(machine.observe(TRUE, 0)).hasValue(new RuleStateMachine.Transition(INACTIVE, PENDING,
                "condition true; fires if it holds for 1m"));
        assertThat(machine.observe(TRUE, 30 * SECOND)).isEmpty();
        assertThat(machine.observe(TRUE, 62 * SECOND)).hasValue(new RuleStateMachine.Transition(PENDING, FIRING,
                "held 1m2s of for=1m"));
        assertThat(machine.sinceNanos()).isEqualTo(62 * SECOND);
        assertThat(machine.observe(FALSE, 70 * SECOND)).isEmpty();
        assertThat(machine.observe(FALSE, 100 * SECOND)).hasValue(new RuleStateMachine.Transition(FIRING, INACTIVE,
                "false for 30s of clear_for=30s"));
        assertThat(machine.observe(MISSING, 110 * SECOND)).hasValue(new RuleStateMachine.Transition(INACTIVE, UNKNOWN,
                "no data: the series the condition reads are missing or stale"));
    }

    @Test
    void seriesGoneSaysSoAndHowLongTheyWereGone() {
        RuleStateMachine machine = new RuleStateMachine(Duration.ZERO, Duration.ZERO, false, Duration.ofMinutes(5));
        machine.observe(TRUE, 0);
        machine.observe(MISSING, 5 * SECOND);

        assertThat(machine.observe(MISSING, 304 * SECOND)).isEmpty();
        assertThat(machine.observe(MISSING, 305 * SECOND)).hasValue(new RuleStateMachine.Transition(FIRING, INACTIVE,
                "series gone: no data for 5m of resolve_after=5m"));
    }

    @Test
    void pendingThatEndsSaysHowLongItHeld() {
        RuleStateMachine machine = new RuleStateMachine(Duration.ofMinutes(2), Duration.ZERO, false,
                Duration.ofMinutes(5));
        machine.observe(TRUE, 0);

        assertThat(machine.observe(FALSE, 45 * SECOND)).hasValue(new RuleStateMachine.Transition(PENDING, INACTIVE,
                "condition false after 45s of for=2m"));
    }
}
