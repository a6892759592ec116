package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.rollguard.rule.AlertInbox;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code POST /api/v1/alertmanager}: Alertmanager's webhook. The payload is checked on the event loop (it is at most
 * 64 KiB); the alerts are then taken in on the scheduler, which evaluates the rules at once, so a firing alert
 * starts its rule's action without waiting for the next tick, and the answer says what each alert did:
 * {@code {"accepted": n, "ignored": [{"alert": ..., "why": ...}]}}. An alert for no rule is an answer, not an
 * error (200): Alertmanager would only retry it.
 */
public final class AlertmanagerEndpoint implements Endpoint {
    public static final String PATH = "/api/v1/alertmanager";

    private final AlertInbox inbox;
    private final Runnable evaluate;
    private final Executor mutations;

    /**
     * @param evaluate evaluates the rules now; run on {@code mutations}
     * @param mutations the scheduler: evaluating takes the responder's lock, never on the event loop
     */
    public AlertmanagerEndpoint(AlertInbox inbox, Runnable evaluate, Executor mutations) {
        this.inbox = requireNonNull(inbox, "inbox");
        this.evaluate = requireNonNull(evaluate, "evaluate");
        this.mutations = requireNonNull(mutations, "mutations");
    }

    public Router routes(Router router) {
        return router.add(new Router.Route(PATH, Set.of(HttpMethod.POST), this));
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        throw new UnsupportedOperationException("answered by handleAsync");
    }

    @Override
    public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
        List<AlertInbox.Alert> alerts;
        try {
            alerts = AlertmanagerPayload.parse(request.content().toString(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Responses.error(BAD_REQUEST, e.getMessage()));
        }
        return CompletableFuture.supplyAsync(() -> {
            AlertInbox.Receipt receipt = inbox.receive(alerts);
            evaluate.run();
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", receipt.accepted());
            answer.put("ignored", receipt.ignored().stream()
                    .map(ignored -> Map.of("alert", ignored.alert(), "why", ignored.why())).toList());
            return Responses.json(OK, answer);
        }, mutations);
    }
}
