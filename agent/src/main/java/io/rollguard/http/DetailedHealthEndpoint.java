package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.rule.Silences;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.ComponentHealth;
import io.rollguard.schedule.HealthSnapshot;
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
    private final Supplier<AgentState> agentState;

    public DetailedHealthEndpoint(Supplier<HealthSnapshot> health, AgentInfo agent, Supplier<AgentState> agentState) {
        this.health = requireNonNull(health, "health");
        this.agent = requireNonNull(agent, "agent");
        this.agentState = requireNonNull(agentState, "agentState");
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
        body.put("reasons", snapshot.reasons());
        body.put("version", agent.version());
        body.put("config", agent.configSource());
        body.put("started_at", agent.startedAt().toString());
        body.put("as_of", snapshot.at().toString());
        body.put("uptime_seconds", Math.max(0, Duration.between(agent.startedAt(), snapshot.at()).toSeconds()));
        List<Map<String, Object>> samplers = new ArrayList<>();
        for (ComponentHealth component : snapshot.samplers()) {
            samplers.add(StatusJson.sampler(component));
        }
        body.put("samplers", samplers);
        List<Map<String, Object>> checks = new ArrayList<>();
        for (CheckStatus check : snapshot.checks()) {
            checks.add(StatusJson.check(check));
        }
        body.put("checks", checks);
        // One reading per answer, on the event loop: of what the components publish, never behind a disk write.
        AgentState state = agentState.get();
        body.put("rules", snapshot.rules().stream().map(rule -> StatusJson.rule(rule, state)).toList());
        body.put("rolled_back", state.latches().stream().map(StatusJson::latch).toList());
        body.put("journal", StatusJson.journal(state));
        body.put("state", StatusJson.state(state));
        body.put("dry_run", state.dryRun());
        body.put("silences", state.silences().stream().map(Silences.Silence::toMap).toList());
        body.put("deployment", state.deploymentMap());
        return body;
    }


}
