package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.config.RuleConfig;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.journal.Event;
import io.rollguard.rule.RuleStatus;
import io.rollguard.rule.expr.Binary;
import io.rollguard.rule.expr.DurationLiteral;
import io.rollguard.rule.expr.Expr;
import io.rollguard.rule.expr.ExpressionPrinter;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.NumberLiteral;
import io.rollguard.rule.expr.PercentLiteral;
import io.rollguard.rule.expr.Selector;
import io.rollguard.rule.expr.SizeLiteral;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SampleBuffer;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesHistory;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesView;
import io.rollguard.time.TimeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * {@code GET /}: the status page for people. It reads what the tick published (the health snapshot, one reading of
 * the agent's state as {@code /health/detailed} takes it, the journal's recent events and the store's history
 * rings) and renders it on the event loop: no I/O, and each lock only for one copy.
 */
public final class StatusPageEndpoint implements Endpoint {
    /** How far back the sparklines reach: the agent keeps every series a rule reads at least this long. */
    public static final Duration WINDOW = Duration.ofMinutes(15);
    static final int EVENTS = 20;
    static final int SPARKLINES_PER_RULE = 4;
    static final Duration MIN_REFRESH = Duration.ofSeconds(5);
    // Nothing but the page's own inline CSS; img-src for its empty data: favicon, which spares the browser asking
    // for /favicon.ico (a 404, and a console message).
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    private final String host;
    private final AgentInfo agent;
    private final Supplier<HealthSnapshot> health;
    private final Supplier<AgentState> state;
    private final IntFunction<List<Event>> latestEvents;
    private final SeriesStore store;
    private final TimeSource time;
    private final Duration refresh;

    /**
     * @param latestEvents the last N journaled events, oldest first
     * @param interval the agent's tick: the page reloads as often, but not more than every five seconds
     */
    public StatusPageEndpoint(String host, AgentInfo agent, Supplier<HealthSnapshot> health,
            Supplier<AgentState> state, IntFunction<List<Event>> latestEvents, SeriesStore store, TimeSource time,
            Duration interval) {
        this.host = requireNonNull(host, "host");
        this.agent = requireNonNull(agent, "agent");
        this.health = requireNonNull(health, "health");
        this.state = requireNonNull(state, "state");
        this.latestEvents = requireNonNull(latestEvents, "latestEvents");
        this.store = requireNonNull(store, "store");
        this.time = requireNonNull(time, "time");
        this.refresh = interval.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH
                : Duration.ofSeconds(-Math.floorDiv(-interval.toMillis(), 1000)); // whole seconds, rounded up
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        byte[] body = StatusPageRenderer.render(page()).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = Responses.bytes(HttpResponseStatus.OK, body, "text/html; charset=utf-8");
        response.headers()
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer");
        return response;
    }

    StatusPage page() {
        HealthSnapshot snapshot = health.get();
        // One reading per page: it takes the responder's and the deployments' locks, on the event loop.
        AgentState current = state.get();
        SeriesView view = store.view(time.nanoTime());
        Map<String, StatusPage.RuleSeries> series = new HashMap<>();
        SampleBuffer buffer = new SampleBuffer();
        for (RuleStatus rule : snapshot.rules()) {
            series.put(rule.rule().name(), series(rule.rule(), view, buffer));
        }
        return new StatusPage(host, agent, time.now(), refresh, WINDOW, snapshot, current, summary(view), series,
                latestEvents.apply(EVENTS));
    }

    /** The history of every series the rule's selectors match, each once, the first few drawn. */
    static StatusPage.RuleSeries series(RuleConfig rule, SeriesView view, SampleBuffer buffer) {
        double threshold = threshold(rule.condition());
        Set<String> seen = new LinkedHashSet<>();
        Set<SeriesKey> drawn = new HashSet<>();
        List<Sparkline> shown = new ArrayList<>();
        int hidden = 0;
        for (Selector selector : HistoryWindows.selectors(rule.condition())) {
            if (!seen.add(ExpressionPrinter.print(selector))) {
                continue;
            }
            for (SeriesHistory history : view.range(selector.name())) {
                if (!selector.matches(history.key().labels()) || !drawn.add(history.key())) {
                    continue;
                }
                if (shown.size() == SPARKLINES_PER_RULE) {
                    hidden++;
                    continue;
                }
                history.read(WINDOW, view.nowNanos(), buffer);
                if (buffer.size() > 0) {
                    shown.add(Sparkline.of(name(history.key().family().name(), history.key().labels()), WINDOW, buffer,
                            view.nowNanos(), threshold));
                }
            }
        }
        return new StatusPage.RuleSeries(shown, hidden);
    }

    /** The number a simple comparison ({@code selector > 0.9}) compares with; NaN for any other condition. */
    static double threshold(Expr condition) {
        if (!(condition instanceof Binary binary) || binary.op().kind() != Binary.Kind.COMPARISON
                || !(binary.left() instanceof Selector)) {
            return Double.NaN;
        }
        Expr right = binary.right();
        if (right instanceof NumberLiteral number) {
            return number.value();
        }
        if (right instanceof PercentLiteral percent) {
            return percent.ratio();
        }
        if (right instanceof SizeLiteral size) {
            return size.bytes();
        }
        if (right instanceof DurationLiteral duration) {
            return duration.value().toMillis() / 1000.0;
        }
        return Double.NaN;
    }

    private static String name(String family, LabelSet labels) {
        return labels.size() == 0 ? family : family + labels;
    }

    static StatusPage.HostSummary summary(SeriesView view) {
        return new StatusPage.HostSummary(value(view, "rollguard_cpu_usage_ratio"), value(view, "rollguard_cpu_cores"),
                value(view, "rollguard_memory_used_ratio"), value(view, "rollguard_memory_total_bytes"),
                value(view, "rollguard_load1"), value(view, "rollguard_load5"), value(view, "rollguard_load15"));
    }

    /** The host-wide series of the name (no labels); NaN when absent or stale. */
    private static double value(SeriesView view, String name) {
        for (Series series : view.latest(name)) {
            if (series.key().labels().size() == 0) {
                return series.value();
            }
        }
        return Double.NaN;
    }
}
