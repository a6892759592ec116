package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.rollguard.config.RuleConfig;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.health.Status;
import io.rollguard.journal.Event;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleStatus;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.expr.ExpressionException;
import io.rollguard.rule.expr.ExpressionParser;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SampleBuffer;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What {@code GET /} reads from the store and the agent, and how it answers. */
class StatusPageEndpointTest {
    private static final Duration TICK = Duration.ofSeconds(10);
    private static final MetricFamily LOAD1 = MetricFamily.gauge("rollguard_load1", "load");
    private static final MetricFamily USED = MetricFamily.gauge("rollguard_filesystem_used_ratio", "used");

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();

    private static RuleConfig rule(String when) throws ExpressionException {
        return new RuleConfig("r", when, ExpressionParser.parseCondition(when), Duration.ZERO, Duration.ZERO,
                RuleConfig.Severity.WARNING, List.of(), Duration.ZERO, RuleConfig.Scope.ALWAYS, false, "", RuleConfig.Source.LOCAL,
                RuleConfig.DEFAULT_RESOLVE_AFTER);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "load1 > 4                                 | 4",
            "memory_used_ratio >= 90%                  | 0.9",
            "filesystem_free_bytes{mount=\"/\"} < 1GiB  | 1073741824",
            "check_duration_seconds < 30s              | 30",
            "load1 > -1                                | NaN", // a negation, not a literal: no line rather than a wrong one
            "avg_over(load1, 5m) > 4                   | NaN",
            "load1 > 4 and load5 > 4                   | NaN",
            "load1 > 1.5 * baseline(load1)             | NaN"})
    void onlyASimpleComparisonHasAThresholdLine(String when, double threshold) throws ExpressionException {
        double actual = StatusPageEndpoint.threshold(ExpressionParser.parseCondition(when));
        if (Double.isNaN(threshold)) {
            assertThat(actual).isNaN();
        } else {
            assertThat(actual).isEqualTo(threshold);
        }
    }

    private void commit(String owner, SeriesWriter writer) {
        store.replace(owner, writer, time.nanoTime(), TICK, TICK.multipliedBy(3));
    }

    @Test
    void drawsTheHistoryOfEverySeriesARuleReadsEvenWithoutAWindowedFunction() throws ExpressionException {
        RuleConfig rule = rule("load1 > 4");
        new RuleEngine(List.of(rule), store, transition -> {}, time, TICK, Duration.ofMinutes(10),
                StatusPageEndpoint.WINDOW);
        for (int i = 0; i < 5; i++) {
            commit("cpu", new SeriesWriter().put(LOAD1, i));
            time.advance(TICK);
        }

        StatusPage.RuleSeries series = StatusPageEndpoint.series(rule, store.view(time.nanoTime()), new SampleBuffer());

        assertThat(series.hidden()).isZero();
        assertThat(series.shown()).singleElement().satisfies(line -> {
            assertThat(line.series()).isEqualTo("rollguard_load1");
            assertThat(line.samples()).extracting(Sparkline.Sample::value).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
            assertThat(line.samples()).extracting(Sparkline.Sample::secondsAgo)
                    .containsExactly(50.0, 40.0, 30.0, 20.0, 10.0);
            assertThat(line.threshold()).isEqualTo(4);
        });
    }

    @Test
    void withoutTheStatusWindowASimpleRuleKeepsNoHistoryAndDrawsNothing() throws ExpressionException {
        RuleConfig rule = rule("load1 > 4");
        new RuleEngine(List.of(rule), store, transition -> {}, time, TICK, Duration.ofMinutes(10));
        commit("cpu", new SeriesWriter().put(LOAD1, 1));
        time.advance(TICK);

        assertThat(StatusPageEndpoint.series(rule, store.view(time.nanoTime()), new SampleBuffer()).shown()).isEmpty();
    }

    @Test
    void drawsTheSeriesTheSelectorMatchesAFewOfThemAndCountsTheRest() throws ExpressionException {
        RuleConfig rule = rule("filesystem_used_ratio{mount!=\"/boot\"} > 90% or filesystem_used_ratio > 99%");
        new RuleEngine(List.of(rule), store, transition -> {}, time, TICK, Duration.ofMinutes(10),
                StatusPageEndpoint.WINDOW);
        SeriesWriter writer = new SeriesWriter();
        for (String mount : List.of("/", "/boot", "/a", "/b", "/c", "/d", "/e")) {
            writer.put(USED, LabelSet.of("mount", mount), 0.5);
        }
        commit("filesystem", writer);
        time.advance(TICK);

        StatusPage.RuleSeries series = StatusPageEndpoint.series(rule, store.view(time.nanoTime()), new SampleBuffer());

        assertThat(series.shown()).hasSize(StatusPageEndpoint.SPARKLINES_PER_RULE)
                .allSatisfy(line -> assertThat(line.series()).doesNotContain("/boot")
                        .startsWith("rollguard_filesystem_used_ratio{mount=\""))
                .allSatisfy(line -> assertThat(line.threshold()).isNaN());
        // Six mounts match the first selector, seven the second: each series counts once, whoever reads it.
        assertThat(series.hidden()).isEqualTo(7 - StatusPageEndpoint.SPARKLINES_PER_RULE);
    }

    @Test
    void theHostSummaryReadsTheHostWideSeriesAndNothingWhereThereAreNone() {
        commit("cpu", new SeriesWriter().put(MetricFamily.gauge("rollguard_cpu_usage_ratio", "cpu"), 0.25)
                .put(LOAD1, 1.5).put(MetricFamily.gauge("rollguard_cpu_cores", "cores"), 8));

        StatusPage.HostSummary summary = StatusPageEndpoint.summary(store.view(time.nanoTime()));

        assertThat(summary.cpuUsageRatio()).isEqualTo(0.25);
        assertThat(summary.load1()).isEqualTo(1.5);
        assertThat(summary.cpuCores()).isEqualTo(8);
        assertThat(summary.memoryUsedRatio()).isNaN();
        assertThat(summary.load15()).isNaN();
        time.advance(TICK.multipliedBy(4)); // stale: absent, not a frozen last value
        assertThat(StatusPageEndpoint.summary(store.view(time.nanoTime())).load1()).isNaN();
    }

    @Test
    void answersHtmlThatIsNeverCachedUnderAStrictContentSecurityPolicy() throws ExpressionException {
        RuleConfig rule = rule("load1 > 4");
        new RuleEngine(List.of(rule), store, transition -> {}, time, TICK, Duration.ofMinutes(10),
                StatusPageEndpoint.WINDOW);
        commit("cpu", new SeriesWriter().put(LOAD1, 1));
        time.advance(TICK);
        HealthSnapshot health = new HealthSnapshot(Status.UP, time.now(), List.of(), List.of(),
                List.of(new RuleStatus(rule, RuleState.INACTIVE, List.of())));
        List<Integer> asked = new java.util.ArrayList<>();
        StatusPageEndpoint endpoint = new StatusPageEndpoint("web-1", new AgentInfo("1.0", "x.toml", time.now()),
                () -> health, () -> new AgentState(List.of(), 0, null, null), limit -> {
                    asked.add(limit);
                    return List.of(new Event(1, time.now(), "agent_started", Map.of()));
                }, store, time, Duration.ofSeconds(2));

        FullHttpResponse response = endpoint.handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));

        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(response.headers().get("Cache-Control")).isEqualTo("no-store");
        assertThat(response.headers().get("Content-Security-Policy"))
                .isEqualTo("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        assertThat(response.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
        String body = response.content().toString(StandardCharsets.UTF_8);
        assertThat(response.headers().getInt("Content-Length")).isEqualTo(response.content().readableBytes());
        // A one-second tick refreshes every five seconds at most; the rule's series is drawn; the events are read.
        assertThat(body).contains("<meta http-equiv=\"refresh\" content=\"5\">", "<polyline points=\"0,30\"/>",
                "agent_started");
        assertThat(asked).containsExactly(StatusPageEndpoint.EVENTS);
        response.release();
    }

    @ParameterizedTest(name = "tick {0}s refreshes every {1}s")
    @CsvSource({"1, 5", "5, 5", "10, 10", "2.5, 5", "7.5, 8", "60, 60"})
    void thePageRefreshesAtTheTickButNoMoreThanEveryFiveSeconds(double tickSeconds, long refreshSeconds) {
        StatusPageEndpoint endpoint = new StatusPageEndpoint("h", new AgentInfo("1", "x", time.now()),
                () -> HealthSnapshot.starting(time.now()), () -> new AgentState(List.of(), 0, null, null),
                limit -> List.of(), store, time, Duration.ofMillis((long) (tickSeconds * 1000)));

        assertThat(endpoint.page().refresh()).isEqualTo(Duration.ofSeconds(refreshSeconds));
    }
}
