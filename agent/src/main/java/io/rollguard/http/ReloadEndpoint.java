package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.rollguard.config.ConfigProblem;
import io.rollguard.config.ReloadResult;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code POST /-/reload}, as Prometheus names it: reads the configuration file again and applies it, or keeps the
 * running configuration and says why. Loopback clients only, as the other mutating endpoints. The reload runs on
 * the agent's own reload thread, never on the event loop.
 */
public final class ReloadEndpoint implements Endpoint {
    private final Supplier<CompletableFuture<ReloadResult>> reload;

    /** @param reload starts a reload elsewhere and completes with its result */
    public ReloadEndpoint(Supplier<CompletableFuture<ReloadResult>> reload) {
        this.reload = requireNonNull(reload, "reload");
    }

    public Router routes(Router router) {
        return router.add(new Router.Route("/-/reload", Set.of(HttpMethod.POST), this));
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        throw new UnsupportedOperationException("answered by handleAsync");
    }

    @Override
    public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
        return reload.get().thenApply(ReloadEndpoint::answer);
    }

    static FullHttpResponse answer(ReloadResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (result.outcome()) {
            case RELOADED:
                body.put("status", "reloaded");
                body.put("config", result.source());
                body.put("summary", result.message());
                body.put("changes", result.changes().toMap());
                body.put("restart_needed", result.changes().restartNeeded());
                return Responses.json(OK, body);
            case INVALID:
                body.put("error", result.message());
                body.put("problems", result.problems().stream().map(ConfigProblem::toString).toList());
                return Responses.json(BAD_REQUEST, body);
            case FAILED:
                body.put("error", result.message());
                body.put("problems", java.util.List.of());
                return Responses.json(INTERNAL_SERVER_ERROR, body);
        }
        throw new AssertionError(result.outcome());
    }
}
