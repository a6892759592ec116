package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.rollguard.schedule.HealthSnapshot;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /health/TAG} for every tag the checks carry now: a reload that adds a tag adds its endpoint, one that
 * removes the last check with a tag makes it 404.
 */
public final class HealthGroupEndpoint implements Endpoint {
    private static final String PREFIX = "/health/";

    private final Supplier<HealthSnapshot> health;
    private final Supplier<Set<String>> tags;

    /** @param tags the tags of the configured checks */
    public HealthGroupEndpoint(Supplier<HealthSnapshot> health, Supplier<Set<String>> tags) {
        this.health = requireNonNull(health, "health");
        this.tags = requireNonNull(tags, "tags");
    }

    public Router routes(Router router) {
        return router.under(PREFIX, Set.of(HttpMethod.GET), this);
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        String tag = path.substring(PREFIX.length());
        if (!tags.get().contains(tag)) {
            return Responses.error(NOT_FOUND, "no such endpoint: " + path);
        }
        return new HealthEndpoint(health, tag).handle(request);
    }
}
