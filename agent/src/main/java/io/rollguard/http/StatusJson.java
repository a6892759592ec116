package io.rollguard.http;

import io.rollguard.health.CheckStatus;
import io.rollguard.health.ComponentHealth;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.Silences;
import io.rollguard.rule.RuleStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How samplers, checks, rules and latches read as JSON, the same in {@code /health/detailed} and the API. */
final class StatusJson {
    private StatusJson() {}

    static Map<String, Object> sampler(ComponentHealth component) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", component.name());
        entry.put("status", component.status().name());
        entry.put("since", component.since().toString());
        entry.put("message", component.message());
        entry.put("period_seconds", component.period().toMillis() / 1000.0);
        entry.put("last_duration_seconds", number(component.lastDurationSeconds()));
        entry.put("errors_total", component.errors());
        return entry;
    }

    static Map<String, Object> check(CheckStatus check) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", check.name());
        entry.put("type", check.type());
        entry.put("status", check.status().name());
        entry.put("critical", check.critical());
        entry.put("tags", check.tags());
        entry.put("since", check.since().toString());
        entry.put("message", check.message());
        entry.put("value", number(check.value()));
        entry.put("interval_seconds", check.interval().toMillis() / 1000.0);
        entry.put("last_duration_seconds", number(check.lastDurationSeconds()));
        entry.put("failures_total", check.failures());
        return entry;
    }

    /** A rule with each label set's state and its decision record: value, threshold, window, samples, why. */
    static Map<String, Object> rule(RuleStatus rule, AgentState state) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", rule.rule().name());
        entry.put("state", rule.state().label());
        entry.put("severity", rule.rule().severity().name().toLowerCase(Locale.ROOT));
        entry.put("when", rule.rule().when());
        entry.put("for_seconds", rule.rule().forDuration().toMillis() / 1000.0);
        entry.put("actions", rule.rule().actions());
        entry.put("latched", state.latched(rule.rule().name()));
        entry.put("silenced", state.silencing(rule.rule().name()).map(Silences.Silence::toMap).orElse(null));
        entry.put("series", rule.series());
        entry.put("problem", rule.problem().isEmpty() ? null : rule.problem());
        List<Map<String, Object>> instances = rule.instances().stream().map(instance -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("labels", instance.labels().toMap());
            item.put("state", instance.state().label());
            item.put("since", instance.since().toString());
            item.put("reason", instance.reason());
            item.put("value", number(instance.value()));
            item.put("threshold", number(instance.threshold()));
            item.put("window_seconds", instance.basis().window().toMillis() / 1000.0);
            item.put("samples", instance.basis().samples());
            return item;
        }).toList();
        entry.put("instances", instances);
        return entry;
    }

    static Map<String, Object> latch(RollbackGuard.Latch latch) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("rule", latch.rule());
        entry.put("action", latch.action());
        entry.put("at", latch.at().toString());
        entry.put("event_id", latch.eventId());
        return entry;
    }

    static Map<String, Object> journal(AgentState state) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("status", state.journalLastFailure() == null ? "UP" : "DOWN");
        entry.put("failures_total", state.journalFailures());
        entry.put("last_failure", state.journalLastFailure());
        return entry;
    }

    /** The state directory as a component of {@code /health/detailed}: DOWN with its problems while any. */
    static Map<String, Object> state(AgentState state) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("status", state.stateHealth().ok() ? "UP" : "DOWN");
        entry.put("problems", state.stateHealth().problems().stream().map(problem -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("reason", problem.reason());
            item.put("message", problem.message());
            return item;
        }).toList());
        return entry;
    }

    private static Double number(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
