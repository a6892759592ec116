package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.HealthSnapshot;
import io.rollguard.health.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health/detailed}: the overall status and every component the agent knows, with why it is in its
 * state and since when. Same status code as {@code /health}.
 */
public final class DetailedHealthEndpoint implements Endpoint {
    private final Supplier<HealthSnapshot> health;
    private final AgentInfo agent;

    public DetailedHealthEndpoint(Supplier<HealthSnapshot> health, AgentInfo agent) {
        this.health = requireNonNull(health, "health");
        this.agent = requireNonNull(agent, "agent");
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        HealthSnapshot snapshot = health.get();
        HttpResponseStatus code =
                snapshot.status() == Status.UP ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
        return Responses.json(code, body(snapshot));
    }

    Map<String, Object> body(HealthSnapshot snapshot) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", snapshot.status().name());
        body.put("version", agent.version());
        body.put("config", agent.configSource());
        body.put("started_at", agent.startedAt().toString());
        body.put("as_of", snapshot.at().toString());
        body.put("uptime_seconds", Math.max(0, Duration.between(agent.startedAt(), snapshot.at()).toSeconds()));
        List<Map<String, Object>> samplers = new ArrayList<>();
        for (ComponentHealth component : snapshot.samplers()) {
            samplers.add(component(component));
        }
        body.put("samplers", samplers);
        List<Map<String, Object>> checks = new ArrayList<>();
        for (CheckStatus check : snapshot.checks()) {
            checks.add(check(check));
        }
        body.put("checks", checks);
        return body;
    }

    private static Map<String, Object> check(CheckStatus check) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", check.name());
        entry.put("type", check.type());
        entry.put("status", check.status().name());
        entry.put("critical", check.critical());
        entry.put("tags", check.tags());
        entry.put("since", check.since().toString());
        entry.put("message", check.message());
        entry.put("value", Double.isNaN(check.value()) ? null : check.value());
        entry.put("interval_seconds", check.interval().toMillis() / 1000.0);
        entry.put("last_duration_seconds",
                Double.isNaN(check.lastDurationSeconds()) ? null : check.lastDurationSeconds());
        entry.put("failures_total", check.failures());
        return entry;
    }

    private static Map<String, Object> component(ComponentHealth component) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", component.name());
        entry.put("status", component.status().name());
        entry.put("since", component.since().toString());
        entry.put("message", component.message());
        entry.put("period_seconds", component.period().toMillis() / 1000.0);
        entry.put("last_duration_seconds",
                Double.isNaN(component.lastDurationSeconds()) ? null : component.lastDurationSeconds());
        entry.put("errors_total", component.errors());
        return entry;
    }
}
