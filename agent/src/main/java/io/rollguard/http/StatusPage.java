package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.journal.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code GET /} shows, read once per request: what {@link StatusPageRenderer} turns into HTML.
 *
 * @param now the wall-clock moment the page is drawn at, for "since" and uptime
 * @param refresh how often the browser reloads the page
 * @param window how far back the sparklines reach
 * @param series each rule's sparklines, by rule name; a rule without history has none
 * @param events the latest events, oldest first
 */
record StatusPage(String host, AgentInfo agent, Instant now, Duration refresh, Duration window, HealthSnapshot health,
        AgentState state, HostSummary summary, Map<String, RuleSeries> series, List<Event> events) {
    StatusPage {
        requireNonNull(host, "host");
        requireNonNull(agent, "agent");
        requireNonNull(now, "now");
        requireNonNull(refresh, "refresh");
        requireNonNull(window, "window");
        requireNonNull(health, "health");
        requireNonNull(state, "state");
        requireNonNull(summary, "summary");
        series = Map.copyOf(series);
        events = List.copyOf(events);
    }

    /** The host's vital signs from the store; NaN where a sampler has not reported (or is disabled). */
    record HostSummary(double cpuUsageRatio, double cpuCores, double memoryUsedRatio, double memoryTotalBytes,
            double load1, double load5, double load15) {
        static final HostSummary NONE =
                new HostSummary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The sparklines of one rule, and how many more series it reads than are drawn. */
    record RuleSeries(List<Sparkline> shown, int hidden) {
        RuleSeries {
            shown = List.copyOf(shown);
        }
    }
}
