package io.rollguard.schedule;

import static java.util.Objects.requireNonNull;

import io.rollguard.health.CheckStatus;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.rule.RuleStatus;
import java.time.Instant;
import java.util.List;

/**
 * What the agent knows of its own health, published once per tick and only read by the HTTP handlers.
 *
 * @param status the overall answer of {@code /health}: DOWN while a critical check fails or a critical rule fires;
 *     a check that has not finished its first run does not count as failing
 * @param at when the tick that built it ran
 */
public record HealthSnapshot(Status status, Instant at, List<ComponentHealth> samplers, List<CheckStatus> checks,
        List<RuleStatus> rules) {
    public HealthSnapshot {
        requireNonNull(status, "status");
        requireNonNull(at, "at");
        samplers = List.copyOf(samplers);
        checks = List.copyOf(checks);
        rules = List.copyOf(rules);
    }

    /**
     * Why {@code /health} is DOWN, one line for each critical check that fails and each label set of a critical rule
     * that fires, checks first; empty when nothing makes it DOWN.
     */
    public List<String> reasons() {
        List<String> reasons = new java.util.ArrayList<>();
        for (CheckStatus check : checks) {
            if (check.critical() && check.status() == Status.DOWN) {
                reasons.add("check " + check.name() + " fails: " + check.message());
            }
        }
        for (RuleStatus rule : rules) {
            if (rule.rule().severity().affectsHealth() && rule.state() == io.rollguard.rule.RuleState.FIRING) {
                for (RuleStatus.Instance instance : rule.instances()) {
                    if (instance.state() == io.rollguard.rule.RuleState.FIRING) {
                        reasons.add("rule " + rule.rule().name() + (instance.labels().size() == 0 ? ""
                                : instance.labels().toString()) + " ("
                                + rule.rule().severity().name().toLowerCase(java.util.Locale.ROOT) + ") fires: "
                                + instance.reason());
                    }
                }
            }
        }
        return reasons;
    }

    /** Before the first tick: up, with nothing run yet. */
    public static HealthSnapshot starting(Instant at) {
        return new HealthSnapshot(Status.UP, at, List.of(), List.of(), List.of());
    }

    /**
     * The answer for the checks tagged {@code group} ({@code /health/GROUP}): DOWN while any of them fails, critical or
     * not, since a group is a question asked on purpose ("ready?"). Empty when no check carries the tag.
     */
    public java.util.Optional<Status> group(String group) {
        List<CheckStatus> members = checks.stream().filter(c -> c.tags().contains(group)).toList();
        if (members.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(members.stream().anyMatch(c -> c.status() == Status.DOWN) ? Status.DOWN : Status.UP);
    }
}
