package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.CONFLICT;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.jr.ob.JSON;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.rollguard.common.Quantities;
import io.rollguard.deploy.Deployment;
import io.rollguard.deploy.Deployments;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code /api/v1/deployments}: {@code GET} the current deployment and the recent ones, {@code POST} to start one,
 * {@code POST /api/v1/deployments/current/finish} to end it. The POSTs, authorised by the {@link AccessPolicy} as
 * every POST is, run on the scheduler: starting re-arms rollbacks and writes the state file.
 */
public final class DeploymentEndpoints {
    static final String EXAMPLE = "{\"version\": \"v42\", \"watch\": \"30m\"}";

    private final Deployments deployments;
    private final Executor mutations;

    public DeploymentEndpoints(Deployments deployments, Executor mutations) {
        this.deployments = requireNonNull(deployments, "deployments");
        this.mutations = requireNonNull(mutations, "mutations");
    }

    public Router routes(Router router) {
        return router
                .add(new Router.Route("/api/v1/deployments", Set.of(HttpMethod.GET, HttpMethod.POST), new Start()))
                .add(new Router.Route("/api/v1/deployments/current/finish", Set.of(HttpMethod.POST), new Finish()));
    }

    /** A start request's fields, checked; what a client got wrong is the exception's message. */
    record StartRequest(String version, Duration watch) {
        static StartRequest parse(String body) {
            Map<String, Object> fields;
            try {
                fields = JSON.std.mapFrom(body);
            } catch (IOException | RuntimeException e) {
                fields = null;
            }
            if (fields == null) {
                throw new IllegalArgumentException("expected a JSON object such as " + EXAMPLE);
            }
            for (String key : fields.keySet()) {
                if (!key.equals("version") && !key.equals("watch")) {
                    throw new IllegalArgumentException("unknown field \"" + key + "\"; expected version and watch");
                }
            }
            if (!(fields.get("version") instanceof String)) {
                throw new IllegalArgumentException("version must be a non-empty string");
            }
            Object watch = fields.get("watch");
            if (watch != null && !(watch instanceof String)) {
                throw new IllegalArgumentException("watch must be a duration such as \"30m\"");
            }
            Duration parsed;
            try {
                parsed = watch == null ? null : Quantities.parseDuration((String) watch);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("watch: " + e.getMessage(), e);
            }
            Deployments.validate((String) fields.get("version"), parsed);
            return new StartRequest((String) fields.get("version"), parsed);
        }
    }

    private final class Start implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            return Responses.json(OK, deployments.toMap());
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            if (!request.method().equals(HttpMethod.POST)) {
                return CompletableFuture.completedFuture(handle(request));
            }
            StartRequest start;
            try {
                start = StartRequest.parse(request.content().toString(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(Responses.error(BAD_REQUEST, e.getMessage()));
            }
            return CompletableFuture.supplyAsync(() -> Responses.json(OK,
                    Map.of("deployment", deployments.start(start.version(), start.watch()).toMap())), mutations);
        }
    }

    private final class Finish implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            throw new UnsupportedOperationException("answered by handleAsync");
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            return CompletableFuture.supplyAsync(() -> {
                Optional<Deployment> finished = deployments.finish();
                return finished.isEmpty() ? Responses.error(CONFLICT, "no deployment is in progress")
                        : Responses.json(OK, Map.of("deployment", finished.get().toMap()));
            }, mutations);
        }
    }
}
