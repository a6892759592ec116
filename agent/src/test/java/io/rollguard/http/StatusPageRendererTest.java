package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.RuleConfig;
import io.rollguard.deploy.BaselinesFixture;
import io.rollguard.deploy.CapturedBaselines;
import io.rollguard.deploy.Deployment;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.Status;
import io.rollguard.journal.Event;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleStatus;
import io.rollguard.rule.expr.Basis;
import io.rollguard.rule.expr.ExpressionException;
import io.rollguard.rule.expr.ExpressionParser;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.store.LabelSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page drawn from fixed snapshots: what it shows, that it escapes all of it, and what it shows of nothing. */
class StatusPageRendererTest {
    private static final String EVIL = "<script>alert('x')</script>";
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final AgentInfo AGENT = new AgentInfo("1.2.3", "/etc/rollguard/rollguard.toml",
            NOW.minus(Duration.ofHours(3).plusMinutes(4)));

    private static RuleConfig rule(String name, String when) throws ExpressionException {
        return new RuleConfig(name, when, ExpressionParser.parseCondition(when), Duration.ofMinutes(2), Duration.ZERO,
                RuleConfig.Severity.CRITICAL, List.of("rollback"), Duration.ZERO, RuleConfig.Scope.ALWAYS, false, "", RuleConfig.Source.LOCAL,
                RuleConfig.DEFAULT_RESOLVE_AFTER);
    }

    private static CheckStatus check(String name, Status status, String message) {
        return check(name, status, message, List.of());
    }

    private static CheckStatus check(String name, Status status, String message, List<String> tags) {
        return new CheckStatus(name, "http", true, tags, Duration.ofSeconds(10), status,
                NOW.minusSeconds(423), message, Double.NaN, 0.01, 0);
    }

    private static Sparkline sparkline(String series, double threshold) {
        return new Sparkline(series, Duration.ofMinutes(15),
                List.of(new Sparkline.Sample(60, 0.2), new Sparkline.Sample(30, 0.95), new Sparkline.Sample(0, 0.5)),
                threshold);
    }

    private static StatusPage page(HealthSnapshot health, AgentState state, Map<String, StatusPage.RuleSeries> series,
            List<Event> events) {
        return new StatusPage("web-1", AGENT, NOW, Duration.ofSeconds(5), Duration.ofMinutes(15), health, state,
                new StatusPage.HostSummary(0.123, 4, 0.5, 8L << 30, 0.25, 0.5, 1.5), series, events);
    }

    private static StatusPage empty() {
        return new StatusPage("web-1", AGENT, NOW, Duration.ofSeconds(5), Duration.ofMinutes(15),
                HealthSnapshot.starting(NOW), new AgentState(List.of(), 0, null, null), StatusPage.HostSummary.NONE,
                Map.of(), List.of());
    }

    /** A page whose every outside value is an attack on the markup. */
    private static StatusPage hostile() throws ExpressionException {
        RuleConfig rule = rule("api" + EVIL, "check_up{check=\"" + EVIL + "\"} == 0");
        RuleStatus status = new RuleStatus(rule, RuleState.FIRING, List.of(new RuleStatus.Instance(
                LabelSet.of("check", EVIL), RuleState.FIRING, NOW.minusSeconds(30), "held " + EVIL, 0, 0,
                Basis.NONE)));
        HealthSnapshot health = new HealthSnapshot(Status.DOWN, NOW, List.of(),
                List.of(check("check" + EVIL, Status.DOWN, "HTTP 503: " + EVIL, List.of("ready\"" + EVIL))), List.of(status));
        Deployment deployment = new Deployment("d-" + EVIL, "v" + EVIL, NOW.minusSeconds(60), Duration.ofMinutes(10),
                NOW.plusSeconds(540), Deployment.State.WATCHING, null, "", BaselinesFixture.of(Duration.ofMinutes(10),
                        List.of(new CapturedBaselines.Value("cpu{x=\"" + EVIL + "\"}", LabelSet.of("x", EVIL), 0.2, 60)),
                        List.of("missing" + EVIL)));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", "api" + EVIL);
        fields.put("output" + EVIL.replaceAll("[^a-z]", ""), EVIL);
        Event event = new Event(7, NOW.minusSeconds(5), "rule_" + EVIL, fields);
        AgentState state = new AgentState(List.of(new RollbackGuard.Latch("api" + EVIL, "roll" + EVIL, NOW, 7)), 0, null,
                deployment);
        AgentInfo agent = new AgentInfo("1.0" + EVIL, "conf" + EVIL, NOW.minusSeconds(100));
        return new StatusPage("host" + EVIL, agent, NOW, Duration.ofSeconds(5), Duration.ofMinutes(15), health, state,
                StatusPage.HostSummary.NONE,
                Map.of("api" + EVIL, new StatusPage.RuleSeries(List.of(sparkline("check_up{check=\"" + EVIL + "\"}",
                        0)), 0)), List.of(event));
    }

    @Test
    void everyOutsideValueIsEscapedInTextAndAttributes() throws ExpressionException {
        String html = StatusPageRenderer.render(hostile());

        assertThat(html).doesNotContain("<script").doesNotContain("alert('x')");
        assertThat(html).contains(
                "host&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", // host name, in <title> and <h1>
                "1.0&lt;script&gt;", // version
                "conf&lt;script&gt;", // config source
                "check&lt;script&gt;", // check name
                "HTTP 503: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", // check message
                "api&lt;script&gt;", // rule name
                "check_up{check=&quot;&lt;script&gt;", // condition
                "{check=&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;}", // labels
                "held &lt;script&gt;", // reason
                "roll&lt;script&gt;", // latch action
                "d-&lt;script&gt;", "v&lt;script&gt;", // deployment id and version
                "cpu{x=&quot;&lt;script&gt;", "missing&lt;script&gt;", // baselines
                "rule_&lt;script&gt;", // event kind
                "<small>outputscriptalertxscript</small> &lt;script&gt;"); // event field
        // In an attribute too: a check's groups, as its name's tooltip; the quote cannot end the attribute.
        assertThat(html).contains("<b title=\"groups: ready&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\">");
        // Nothing outside the renderer's own markup opens a tag: every '<' starts a tag of ours.
        Matcher tags = Pattern.compile("<(/?)([a-zA-Z!][a-zA-Z0-9]*)").matcher(html);
        List<String> names = new ArrayList<>();
        while (tags.find()) {
            names.add(tags.group(2).toLowerCase());
        }
        assertThat(names).doesNotContain("script", "img", "iframe").hasSize(count(html, '<'));
    }

    private static int count(String text, char c) {
        return (int) text.chars().filter(ch -> ch == c).count();
    }

    @Test
    void showsTheHostTheChecksTheRulesTheDeploymentAndTheEvents() throws ExpressionException {
        RuleConfig memory = rule("memory-pressure", "memory_used_ratio > 90%");
        RuleStatus rule = new RuleStatus(memory, RuleState.PENDING, List.of(new RuleStatus.Instance(LabelSet.EMPTY,
                RuleState.PENDING, NOW.minusSeconds(75), "held 1m15s of for=2m", 0.93, 0.9, Basis.LATEST)));
        HealthSnapshot health = new HealthSnapshot(Status.UP, NOW, List.of(), List.of(
                check("api", Status.UP, "HTTP 200 in 12 ms", List.of("live", "ready")), check("db", Status.DOWN, "connection refused")),
                List.of(rule));
        Deployment deployment = new Deployment("d-17", "2.4.1", NOW.minusSeconds(120), Duration.ofMinutes(10),
                NOW.plusSeconds(480), Deployment.State.WATCHING, null, "", BaselinesFixture.of(Duration.ofMinutes(10),
                        List.of(new CapturedBaselines.Value("latency_seconds", LabelSet.EMPTY, 0.125, 60)), List.of()));
        Event event = new Event(42, NOW.minusSeconds(90), "rule_pending", Map.of("rule", "memory-pressure"));
        String html = StatusPageRenderer.render(page(health,
                new AgentState(List.of(), 0, null, deployment),
                Map.of("memory-pressure", new StatusPage.RuleSeries(List.of(sparkline("rollguard_memory_used_ratio",
                        0.9)), 2)), List.of(event)));

        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .contains("<meta http-equiv=\"refresh\" content=\"5\">")
                .contains("<title>UP · web-1 · rollguard</title>")
                .contains("rollguard 1.2.3 · up 3h 4m · as of 2026-11-22 12:00:00Z · refreshes every 5s");
        assertThat(html).contains("<section id=\"host\">", "<dd>12.3%</dd>", "4 cores", "<dd>50.0%</dd>",
                "of 8.0 GiB", "<dd>0.25</dd>", "5m 0.5 · 15m 1.5", "<dd>1 / 2</dd>", "<dd>0 / 1</dd>");
        assertThat(html).contains("<section id=\"checks\">",
                "<span class=\"pill up\">UP</span></td><td><b title=\"groups: live, ready\">api</b>", "HTTP 200 in 12 ms",
                "<span class=\"pill down\">DOWN</span></td><td><b>db</b>", "connection refused",
                "<span title=\"2026-11-22 11:52:57Z\">7m 3s ago</span>");
        assertThat(html).contains("<section id=\"rules\">", "memory-pressure <span class=\"pill pending\">pending",
                "<code>memory_used_ratio &gt; 90%</code>", "for 2m",
                "<li><b>0.93 &gt; 0.9</b> · held 1m15s of for=2m · <span title=\"2026-11-22 11:58:45Z\">1m 15s ago</span></li>",
                "held 1m15s of for=2m");
        // The sparkline: points from its samples, the threshold line, its caption; and the series not drawn.
        assertThat(html).contains("<line x1=\"0\" x2=\"160\" y1=\"4\" y2=\"4\"/>",
                "<polyline points=\"0,30 80,2 160,19\"/>",
                "<figcaption>rollguard_memory_used_ratio · now 0.5 · last 1m</figcaption>", "and 2 more series");
        assertThat(html).contains("<section id=\"deployment\">", "<b>2.4.1</b> <span class=\"pill watching\">watching",
                "d-17", "watch 10m until 2026-11-22 12:08:00Z", "<code>latency_seconds</code>", "<td>0.125</td>",
                "averaged over 10m before the start");
        assertThat(html).contains("<section id=\"events\">", "<b>rule_pending</b> <small>#42</small>",
                "<small>rule</small> memory-pressure", "1m 30s ago");
    }

    @Test
    void sayWhatIsMissingWhenThereIsNothingToShow() throws ExpressionException {
        String html = StatusPageRenderer.render(empty());

        assertThat(html).contains("No checks configured.", "No rules configured.", "No deployment recorded.",
                "No events yet.", "<dd>–</dd>", "<title>UP · web-1 · rollguard</title>");
        assertThat(html).doesNotContain("<svg", "<table");

        RuleStatus unevaluated = new RuleStatus(rule("r", "load1 > 4"), RuleState.INACTIVE, List.of());
        String noHistory = StatusPageRenderer.render(page(new HealthSnapshot(Status.UP, NOW, List.of(), List.of(),
                List.of(unevaluated)), new AgentState(List.of(), 0, null, null), Map.of(), List.of()));
        assertThat(noHistory).contains("Not evaluated yet.", "No history yet for the series it reads.")
                .doesNotContain("<svg");
    }

    @Test
    void aRuleWhoseSelectorMatchesNothingSaysSoOnItsCard() throws ExpressionException {
        String problem = "no series match `port_listening{port=\"5555\"}`";
        RuleStatus rule = new RuleStatus(rule("ipc", "load1 > 4 or port_listening{port=\"5555\"} == 0"),
                RuleState.INACTIVE, List.of(new RuleStatus.Instance(LabelSet.EMPTY, RuleState.INACTIVE, NOW,
                        "condition false", 1.25, 4, Basis.LATEST)), 1, problem);
        String html = StatusPageRenderer.render(page(new HealthSnapshot(Status.UP, NOW, List.of(), List.of(),
                List.of(rule)), new AgentState(List.of(), 0, null, null), Map.of(), List.of()));

        assertThat(html).contains("<p class=\"mute\">no series match `port_listening{port=&quot;5555&quot;}`</p>");
    }

    @Test
    void aDownHostIsMarkedSoAtTheTopAndALatchedRuleSaysItRolledBack() throws ExpressionException {
        RuleStatus rule = new RuleStatus(rule("api-down", "check_up{check=\"api\"} == 0"), RuleState.FIRING,
                List.of());
        String html = StatusPageRenderer.render(page(new HealthSnapshot(Status.DOWN, NOW, List.of(), List.of(),
                List.of(rule)), new AgentState(List.of(new RollbackGuard.Latch("api-down", "rollback", NOW, 3)), 0, null,
                null), Map.of(), List.of()));

        assertThat(html).contains("<header class=\"down\">", "<title>DOWN · web-1 · rollguard</title>",
                "rolled back: rollback", "1 latched", "<p class=\"next\">rollback ran at ",
                " (event 3); it does not run again until re-armed: <code>rollguard rearm api-down</code>. Incident "
                + "<a href=\"/api/v1/incidents/20261122T120000Z-3\">20261122T120000Z-3</a>: "
                + "<code>rollguard incident show 20261122T120000Z-3</code></p>");
    }

    @Test
    void aFiringRuleWhoseRollbackWasRefusedSaysWhyOnItsCardUntilItFiresAgain() throws ExpressionException {
        RuleStatus rule = new RuleStatus(rule("api-down", "check_up{check=\"api\"} == 0"), RuleState.FIRING,
                List.of());
        Event firing = new Event(10, NOW.minusSeconds(60), "rule_firing", Map.of("rule", "api-down"));
        Event skipped = new Event(11, NOW.minusSeconds(60), "action_skipped", Map.of("rule", "api-down",
                "action", "rollback", "result", "rate_limited", "message", "2 rollbacks in the last hour "
                        + "(max_per_hour = 2); rate limited until 2026-11-22T12:40:00Z, after which the rule's next "
                        + "firing may roll back"));
        Event other = new Event(12, NOW.minusSeconds(30), "action_started", Map.of("rule", "api-down",
                "action", "page"));
        HealthSnapshot health = new HealthSnapshot(Status.DOWN, NOW, List.of(), List.of(), List.of(rule));
        AgentState state = new AgentState(List.of(), 0, null, null);

        assertThat(StatusPageRenderer.render(page(health, state, Map.of(), List.of(firing, skipped, other))))
                .contains("<p class=\"next\"><span class=\"pill pending\">rate limited</span> rollback: 2 rollbacks "
                        + "in the last hour (max_per_hour = 2); rate limited until 2026-11-22T12:40:00Z, after which "
                        + "the rule&#39;s next firing may roll back</p>");
        Event firedAgain = new Event(13, NOW, "rule_firing", Map.of("rule", "api-down"));
        assertThat(StatusPageRenderer.render(page(health, state, Map.of(), List.of(firing, skipped, firedAgain))))
                .doesNotContain("<span class=\"pill pending\">rate limited");
    }

    @Test
    void aSilencedRuleSaysUntilWhenAndHowToLiftItAndASilenceOfEveryRuleIsInTheHeader() throws ExpressionException {
        RuleStatus rule = new RuleStatus(rule("api-down", "check_up{check=\"api\"} == 0"), RuleState.FIRING,
                List.of());
        HealthSnapshot health = new HealthSnapshot(Status.DOWN, NOW, List.of(), List.of(), List.of(rule));
        io.rollguard.rule.Silences.Silence own = new io.rollguard.rule.Silences.Silence("api-down", NOW,
                NOW.plusSeconds(1800), "db " + EVIL);
        io.rollguard.rule.Silences.Silence all = new io.rollguard.rule.Silences.Silence("*", NOW,
                NOW.plusSeconds(600), "");

        String html = StatusPageRenderer.render(page(health, new AgentState(List.of(), 0, null, null,
                io.rollguard.journal.StateHealth.OK, false, List.of(own, all)), Map.of(), List.of()));

        assertThat(html).contains("<span class=\"pill silenced\">silenced</span>",
                "<p class=\"next\">Rollbacks wait until 2026-11-22 12:30:00Z (db &lt;script&gt;",
                "; one runs then if the rule still fires. Lift now: <code>rollguard silence --lift api-down</code></p>",
                "<div class=\"dry\"><b>Silenced</b>: every rule's rollbacks wait until 2026-11-22 12:10:00Z; "
                        + "lift with <code>rollguard silence --lift --all</code></div>")
                .doesNotContain("<script>");
    }

    @Test
    void aDryRunAgentSaysSoInItsHeader() {
        String html = StatusPageRenderer.render(page(new HealthSnapshot(Status.UP, NOW, List.of(), List.of(),
                List.of()), new AgentState(List.of(), 0, null, null, io.rollguard.journal.StateHealth.OK, true),
                Map.of(), List.of()));

        assertThat(html).contains("<div class=\"dry\"><b>Dry run</b>: no action runs; each says what it would do "
                + "([agent] dry_run)</div>");
        assertThat(StatusPageRenderer.render(page(new HealthSnapshot(Status.UP, NOW, List.of(), List.of(),
                List.of()), new AgentState(List.of(), 0, null, null), Map.of(), List.of()))).doesNotContain("Dry run");
    }

    @Test
    void fiftyChecksAndRulesWithFullHistoryStayUnderSixtyKilobytes() throws ExpressionException {
        List<CheckStatus> checks = new ArrayList<>();
        List<RuleStatus> rules = new ArrayList<>();
        Map<String, StatusPage.RuleSeries> series = new LinkedHashMap<>();
        List<Sparkline.Sample> samples = new ArrayList<>();
        for (int second = 900; second >= 0; second--) {
            samples.add(new Sparkline.Sample(second, Math.sin(second / 20.0)));
        }
        for (int i = 0; i < 50; i++) {
            checks.add(check("check-" + i, i % 7 == 0 ? Status.DOWN : Status.UP, "HTTP 200 in 12 ms from /health"));
            String name = "rule-" + i;
            rules.add(new RuleStatus(rule(name, "avg_over(load1, 5m) > 4"), RuleState.INACTIVE, List.of(
                    new RuleStatus.Instance(LabelSet.EMPTY, RuleState.INACTIVE, NOW, "condition false", 1.25, 4,
                            new Basis(Duration.ofMinutes(5), 60)))));
            series.put(name, new StatusPage.RuleSeries(
                    List.of(new Sparkline("rollguard_load1", Duration.ofMinutes(15), samples, 4)), 0));
        }
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            events.add(new Event(i, NOW, "action_finished", Map.of("rule", "rule-1", "output", "x".repeat(4000))));
        }
        String html = StatusPageRenderer.render(page(new HealthSnapshot(Status.UP, NOW, List.of(), checks, rules),
                new AgentState(List.of(), 0, null, null), series, events));

        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(60_000);
        assertThat(html).contains("rule-49", "check-49");
    }

    @Test
    void eventsReadNewestFirstWithLongFieldsShortenedAndEmptyOnesLeftOut() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("output", "line one\n" + "x".repeat(500));
        fields.put("ended_at", null);
        List<Event> events = List.of(new Event(1, NOW.minusSeconds(60), "first_kind", Map.of()),
                new Event(2, NOW.minusSeconds(30), "second_kind", fields));

        String html = StatusPageRenderer.render(page(HealthSnapshot.starting(NOW),
                new AgentState(List.of(), 0, null, null), Map.of(), events));

        assertThat(html.indexOf("second_kind")).isLessThan(html.indexOf("first_kind"));
        String shortened = ("line one " + "x".repeat(500)).substring(0, StatusPageRenderer.EVENT_FIELD_LIMIT) + "…";
        assertThat(html).contains("<small>output</small> " + shortened + "</td>").doesNotContain("ended_at");
        // Light or dark as the reader's system is set, from the page's own CSS.
        assertThat(html).contains("@media (prefers-color-scheme:dark)");
    }

    @Test
    void numbersAndDurationsReadShort() {
        assertThat(StatusPageRenderer.number(0.93)).isEqualTo("0.93");
        assertThat(StatusPageRenderer.number(12)).isEqualTo("12");
        assertThat(StatusPageRenderer.number(1.23456)).isEqualTo("1.235");
        assertThat(StatusPageRenderer.number(0.0001234)).isEqualTo("0.000123");
        assertThat(StatusPageRenderer.number(8589934592.0)).isEqualTo("8.59e+09");
        assertThat(StatusPageRenderer.number(Double.NaN)).isEqualTo("–");
        assertThat(StatusPageRenderer.human(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(StatusPageRenderer.human(Duration.ofSeconds(423))).isEqualTo("7m 3s");
        assertThat(StatusPageRenderer.human(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(StatusPageRenderer.human(Duration.ofHours(76))).isEqualTo("3d 4h");
    }
}
