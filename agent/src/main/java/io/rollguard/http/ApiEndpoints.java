package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.journal.Event;
import io.rollguard.rule.Responder;
import io.rollguard.rule.Silences;
import io.rollguard.common.ControlCharacters;
import io.rollguard.common.Quantities;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * {@code /api/v1}: checks, rules and events as JSON, and re-arming latched rollbacks. Who may re-arm is the
 * {@link AccessPolicy}'s to decide, as for every POST.
 */
public final class ApiEndpoints {
    static final int DEFAULT_EVENTS = 100;
    static final int MAX_EVENTS = 1000;

    private final Supplier<HealthSnapshot> health;
    private final Supplier<AgentState> state;
    private final BiFunction<Long, Integer, List<Event>> events;
    private final java.util.function.IntFunction<List<Event>> latest;
    private final Responder responder;
    private final Executor mutations;

    /**
     * @param events the journaled events with an id above the first argument, at most the second, oldest first
     * @param latest the newest journaled events, at most the argument, oldest first
     * @param mutations where re-arming runs (it writes the state file): the scheduler, never the event loop
     */
    public ApiEndpoints(Supplier<HealthSnapshot> health, Supplier<AgentState> state,
            BiFunction<Long, Integer, List<Event>> events, java.util.function.IntFunction<List<Event>> latest,
            Responder responder, Executor mutations) {
        this.health = requireNonNull(health, "health");
        this.state = requireNonNull(state, "state");
        this.events = requireNonNull(events, "events");
        this.latest = requireNonNull(latest, "latest");
        this.responder = requireNonNull(responder, "responder");
        this.mutations = requireNonNull(mutations, "mutations");
    }

    public Router routes(Router router) {
        return router
                .get("/api/v1/checks", request -> Responses.json(OK, Map.of("checks",
                        health.get().checks().stream().map(StatusJson::check).toList())))
                .get("/api/v1/rules", request -> rules())
                .get("/api/v1/events", this::events)
                .add(new Router.Route("/api/v1/rearm", Set.of(HttpMethod.POST), new Rearm(null)))
                .add(new Router.Route("/api/v1/silences", Set.of(HttpMethod.GET, HttpMethod.POST), new Silence()))
                .add(new Router.Route("/api/v1/silences/lift", Set.of(HttpMethod.POST), new Lift()))
                .under("/api/v1/rules/", Set.of(HttpMethod.POST), new Rearm(""));
    }

    /** {@code GET /api/v1/rules}: every rule and the latches, from one reading of the agent's state. */
    private FullHttpResponse rules() {
        AgentState current = state.get();
        return Responses.json(OK, Map.of(
                "rules", health.get().rules().stream().map(rule -> StatusJson.rule(rule, current)).toList(),
                "rolled_back", current.latches().stream().map(StatusJson::latch).toList(),
                "state", StatusJson.state(current)));
    }

    /**
     * {@code GET /api/v1/events?since=ID&limit=N}: what happened after event ID, oldest first; {@code ?last=N}: the
     * newest N, oldest first, as {@code tail} shows a file.
     */
    private FullHttpResponse events(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        long since;
        int limit;
        Integer last;
        try {
            since = Long.parseLong(parameter(query, "since", "0"));
            limit = Integer.parseInt(parameter(query, "limit", String.valueOf(DEFAULT_EVENTS)));
            String lastText = parameter(query, "last", null);
            last = lastText == null ? null : Integer.parseInt(lastText);
        } catch (NumberFormatException e) {
            return Responses.error(BAD_REQUEST, "since, limit and last are whole numbers");
        }
        if (last != null) {
            if (query.parameters().containsKey("since") || query.parameters().containsKey("limit")) {
                return Responses.error(BAD_REQUEST, "give last alone, or since and limit");
            }
            if (last < 1 || last > MAX_EVENTS) {
                return Responses.error(BAD_REQUEST, "last must be between 1 and " + MAX_EVENTS);
            }
            return Responses.json(OK, Map.of("events", latest.apply(last).stream().map(Event::toMap).toList()));
        }
        if (since < 0 || limit < 1 || limit > MAX_EVENTS) {
            return Responses.error(BAD_REQUEST, "since must be >= 0 and limit between 1 and " + MAX_EVENTS);
        }
        return Responses.json(OK, Map.of("events", events.apply(since, limit).stream().map(Event::toMap).toList()));
    }

    private static String parameter(QueryStringDecoder query, String name, String fallback) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    /**
     * What a silence or lift request names: {@code {"rule": NAME}} or {@code {"all": true}}, with {@code for} and
     * {@code comment} for a silence; what a client got wrong is the exception's message.
     */
    record SilenceRequest(String rule, Duration duration, String comment) {
        static final String EXAMPLE = "{\"rule\": \"api_errors\", \"for\": \"30m\", \"comment\": \"db migration\"}"
                + " or {\"all\": true, \"for\": \"30m\"}";

        /** @param lift whether it lifts (no {@code for}) rather than sets a silence */
        static SilenceRequest parse(String body, boolean lift) {
            Map<String, Object> fields;
            try {
                fields = JSON.std.mapFrom(body);
            } catch (IOException | RuntimeException e) {
                fields = null;
            }
            if (fields == null) {
                throw new IllegalArgumentException("expected a JSON object such as "
                        + (lift ? "{\"rule\": \"api_errors\"} or {\"all\": true}" : EXAMPLE));
            }
            Set<String> known = lift ? Set.of("rule", "all") : Set.of("rule", "all", "for", "comment");
            for (String key : fields.keySet()) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("unknown field \"" + key + "\"; expected "
                            + String.join(", ", new java.util.TreeSet<>(known)));
                }
            }
            Object rule = fields.get("rule");
            boolean all = Boolean.TRUE.equals(fields.get("all"));
            if (fields.containsKey("all") && !(fields.get("all") instanceof Boolean)) {
                throw new IllegalArgumentException("all must be true or false");
            }
            if (all == (rule != null)) {
                throw new IllegalArgumentException("give either rule (a rule's name) or \"all\": true");
            }
            if (rule != null && !(rule instanceof String)) {
                throw new IllegalArgumentException("rule must be a rule's name");
            }
            Object comment = fields.get("comment");
            if (comment != null && !(comment instanceof String)) {
                throw new IllegalArgumentException("comment must be a string");
            }
            if (comment != null && ((String) comment).length() > 500) {
                throw new IllegalArgumentException("comment must be at most 500 characters");
            }
            Duration duration = null;
            if (!lift) {
                Object text = fields.get("for");
                if (!(text instanceof String)) {
                    throw new IllegalArgumentException("for must be a duration such as \"30m\"");
                }
                try {
                    duration = Quantities.parseDuration((String) text);
                    Silences.check(duration);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("for: " + e.getMessage(), e);
                }
            }
            return new SilenceRequest(all ? Silences.ALL : (String) rule, duration,
                    comment == null ? "" : ControlCharacters.escape((String) comment));
        }
    }

    /** {@code GET /api/v1/silences}: the silences in force; {@code POST}: silences a rule, or every rule. */
    private final class Silence implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            return Responses.json(OK, Map.of("silences",
                    state.get().silences().stream().map(Silences.Silence::toMap).toList()));
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            if (!request.method().equals(HttpMethod.POST)) {
                return CompletableFuture.completedFuture(handle(request));
            }
            SilenceRequest silence;
            try {
                silence = SilenceRequest.parse(request.content().toString(StandardCharsets.UTF_8), false);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(Responses.error(BAD_REQUEST, e.getMessage()));
            }
            if (!silence.rule().equals(Silences.ALL) && !responder.knowsRule(silence.rule())) {
                return CompletableFuture.completedFuture(Responses.error(NOT_FOUND, "no rule named "
                        + silence.rule()));
            }
            return CompletableFuture.supplyAsync(() -> Responses.json(OK, Map.of("silence", responder.silences()
                    .silence(silence.rule(), silence.duration(), silence.comment()).toMap())), mutations);
        }
    }

    /**
     * {@code POST /api/v1/silences/lift}: lifts a rule's own silence, or with {@code "all": true} every silence;
     * says which silence still holds the rule's rollbacks, if one does (that of every rule).
     */
    private final class Lift implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            throw new UnsupportedOperationException("answered by handleAsync");
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            SilenceRequest lift;
            try {
                lift = SilenceRequest.parse(request.content().toString(StandardCharsets.UTF_8), true);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(Responses.error(BAD_REQUEST, e.getMessage()));
            }
            boolean all = lift.rule().equals(Silences.ALL);
            if (!all && !responder.knowsRule(lift.rule())) {
                return CompletableFuture.completedFuture(Responses.error(NOT_FOUND, "no rule named " + lift.rule()));
            }
            return CompletableFuture.supplyAsync(() -> {
                Silences silences = responder.silences();
                List<Map<String, Object>> lifted = silences.lift(all ? null : lift.rule()).stream()
                        .map(Silences.Silence::toMap).toList();
                Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("lifted", lifted);
                body.put("still_silenced_by", all ? null
                        : silences.silencing(lift.rule()).map(Silences.Silence::toMap).orElse(null));
                return Responses.json(OK, body);
            }, mutations);
        }
    }

    /** {@code POST /api/v1/rules/NAME/rearm}, or {@code POST /api/v1/rearm} for every rule. */
    private final class Rearm implements Endpoint {
        private final String all;

        Rearm(String all) {
            this.all = all;
        }

        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            throw new UnsupportedOperationException("answered by handleAsync");
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            String rule = null;
            if (all != null) {
                String path = new QueryStringDecoder(request.uri()).path();
                String rest = path.substring("/api/v1/rules/".length());
                if (!rest.endsWith("/rearm") || rest.indexOf('/') != rest.length() - "/rearm".length()) {
                    return CompletableFuture.completedFuture(Responses.error(NOT_FOUND, "no such endpoint: " + path));
                }
                rule = rest.substring(0, rest.length() - "/rearm".length());
                if (!responder.knowsRule(rule)) {
                    return CompletableFuture.completedFuture(Responses.error(NOT_FOUND, "no rule named " + rule));
                }
            }
            String target = rule;
            return CompletableFuture.supplyAsync(() -> {
                List<String> rearmed = responder.rearm(target);
                // A rule that still fires does not run its rollback again by being re-armed: only a new firing does.
                List<String> firing = health.get().rules().stream()
                        .filter(status -> status.state() == io.rollguard.rule.RuleState.FIRING)
                        .map(status -> status.rule().name()).filter(rearmed::contains).toList();
                return Responses.json(OK, Map.of("rearmed", rearmed, "still_firing", firing));
            }, mutations);
        }
    }
}
