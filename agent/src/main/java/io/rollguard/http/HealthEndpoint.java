package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.common.Json;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.health.Status;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 {@code {"status":"UP"}} or 503 {@code {"status":"DOWN"}}, for load balancers and scripts.
 * {@code GET /health/GROUP} answers the same way for the checks tagged GROUP, as Spring Boot's health groups do, so a
 * load balancer ("live") and a deploy gate ("ready") each ask their own question.
 */
public final class HealthEndpoint implements Endpoint {
    private static final byte[] UP = Json.bytes(Map.of("status", "UP"));
    private static final byte[] DOWN = Json.bytes(Map.of("status", "DOWN"));

    private final Supplier<HealthSnapshot> health;
    private final String group;

    /** The overall answer. */
    public HealthEndpoint(Supplier<HealthSnapshot> health) {
        this(health, null);
    }

    /** The answer for the checks tagged {@code group}. */
    public HealthEndpoint(Supplier<HealthSnapshot> health, String group) {
        this.health = requireNonNull(health, "health");
        this.group = group;
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        HealthSnapshot snapshot = health.get();
        Status status = group == null ? snapshot.status() : snapshot.group(group).orElse(Status.UP);
        if (status == Status.DOWN) {
            return Responses.bytes(HttpResponseStatus.SERVICE_UNAVAILABLE, DOWN, Responses.JSON_TYPE);
        }
        return Responses.bytes(HttpResponseStatus.OK, UP, Responses.JSON_TYPE);
    }
}
