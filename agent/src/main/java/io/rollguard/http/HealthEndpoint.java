package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.health.HealthSnapshot;
import io.rollguard.health.Status;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /health}: 200 {@code {"status":"UP"}} or 503 {@code {"status":"DOWN"}}, for load balancers and scripts. */
public final class HealthEndpoint implements Endpoint {
    private static final byte[] UP = Json.bytes(Map.of("status", "UP"));
    private static final byte[] DOWN = Json.bytes(Map.of("status", "DOWN"));

    private final Supplier<HealthSnapshot> health;

    public HealthEndpoint(Supplier<HealthSnapshot> health) {
        this.health = requireNonNull(health, "health");
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        if (health.get().status() == Status.UP) {
            return Responses.bytes(HttpResponseStatus.OK, UP, Responses.JSON_TYPE);
        }
        return Responses.bytes(HttpResponseStatus.SERVICE_UNAVAILABLE, DOWN, Responses.JSON_TYPE);
    }
}
