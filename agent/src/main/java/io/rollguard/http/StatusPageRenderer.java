package io.rollguard.http;

import io.rollguard.common.Human;
import io.rollguard.deploy.CapturedBaselines;
import io.rollguard.deploy.Deployment;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.Status;
import io.rollguard.journal.Event;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.Silences;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleStatus;
import io.rollguard.rule.expr.Binary;
import io.rollguard.rule.expr.Comparison;
import io.rollguard.store.LabelSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the status page: one self-contained HTML document, inline CSS and SVG, no script. Every value from the
 * outside (names, messages, labels, event fields, even the version) goes through {@link Html#escape}; markup is only
 * ever written as a literal of this class.
 */
final class StatusPageRenderer {
    static final int EVENT_FIELD_LIMIT = 120;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private static final String STYLE = """
            :root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--mute:#5b636d;--line:#d6dae0;--card:#f5f7f9;\
            --up:#1a7f37;--down:#cf222e;--warn:#9a6700;--unk:#6e7781}
            @media (prefers-color-scheme:dark){:root{--bg:#0e1116;--fg:#e6edf3;--mute:#9198a1;--line:#30363d;\
            --card:#161b22;--up:#3fb950;--down:#f85149;--warn:#d29922;--unk:#8b949e}}
            *{box-sizing:border-box}
            body{margin:0 auto;max-width:1100px;padding:12px;font:15px/1.4 system-ui,sans-serif;background:var(--bg);\
            color:var(--fg)}
            h1{font-size:1.4em;margin:0;overflow-wrap:break-word}h2{font-size:1.1em;margin:20px 0 8px}
            header{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline;padding:12px 14px;border-radius:8px;\
            background:var(--up);color:#fff}
            header.down{background:var(--down)}header b{font-size:1.4em}header div{flex-basis:100%;font-size:.9em;opacity:.9}
            .next{margin:4px 0;padding:4px 8px;border-left:3px solid var(--down)}
            header ul.why{flex-basis:100%;margin:4px 0 0;padding-left:18px;overflow-wrap:break-word}
            .mute,small{color:var(--mute);font-size:.9em}
            .pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8em;font-weight:600;color:#fff;\
            background:var(--unk);white-space:nowrap}
            .pill.up,.pill.inactive,.pill.healthy,.pill.finished{background:var(--up)}
            .pill.down,.pill.firing,.pill.rolled_back,.pill.failed{background:var(--down)}.pill.pending,.pill.watching,.pill.silenced{background:var(--warn)}
            .stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;margin:0}
            .stats div{background:var(--card);border-radius:8px;padding:8px 10px}
            dt{color:var(--mute);font-size:.85em}dd{margin:0;font-size:1.3em;font-weight:600}
            .scroll{overflow-x:auto}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
            th{color:var(--mute);font-weight:500;font-size:.85em}
            .msg{overflow-wrap:break-word}span[title]{white-space:nowrap}
            .rule{background:var(--card);border-radius:8px;padding:10px;margin:8px 0}
            .rule ul{list-style:none;margin:6px 0;padding:0}.rule li{margin:3px 0;overflow-wrap:break-word}
            .rule h3{font-size:1em;margin:0 0 4px;display:flex;flex-wrap:wrap;gap:6px;align-items:center}
            code{font-size:.9em;overflow-wrap:break-word}
            .spark{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:6px}
            .spark figure{margin:0}.spark figcaption{font-size:.8em;color:var(--mute);overflow-wrap:break-word}
            svg{width:240px;max-width:100%;height:auto;display:block}
            polyline{fill:none;stroke:var(--fg);stroke-width:1.2}
            line{stroke:var(--down);stroke-width:1;stroke-dasharray:3 2}
            .empty{color:var(--mute);font-style:italic}
            .problem{border-left:4px solid var(--down);padding-left:10px}
            footer{margin:24px 0 8px;font-size:.85em;color:var(--mute)}a{color:inherit}
            """;

    private final StatusPage page;
    private final StringBuilder out = new StringBuilder(16_384);

    private StatusPageRenderer(StatusPage page) {
        this.page = page;
    }

    static String render(StatusPage page) {
        return new StatusPageRenderer(page).document();
    }

    private String document() {
        Status overall = page.health().status();
        raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        raw("<meta http-equiv=\"refresh\" content=\"").text(Long.toString(page.refresh().toSeconds())).raw("\">\n");
        raw("<link rel=\"icon\" href=\"data:,\">\n");
        raw("<title>").text(overall.name()).raw(" · ").text(page.host()).raw(" · rollguard</title>\n");
        raw("<style>\n").raw(STYLE).raw("</style></head>\n<body>\n");
        header(overall);
        stateProblems();
        host();
        checks();
        rules();
        deployment();
        events();
        raw("<footer>JSON: <a href=\"/health/detailed\">/health/detailed</a> · <a href=\"/api/v1/events\">")
                .raw("/api/v1/events</a> · <a href=\"/metrics\">/metrics</a></footer>\n</body></html>\n");
        return out.toString();
    }

    private void header(Status overall) {
        raw("<header class=\"").text(overall == Status.UP ? "up" : "down").raw("\"><h1>").text(page.host())
                .raw("</h1><b>").text(overall.name()).raw("</b>\n<div>rollguard ").text(page.agent().version()).raw(" · up ")
                .text(human(Duration.between(page.agent().startedAt(), page.now()))).raw(" · as of ")
                .time(page.now()).raw(" · refreshes every ").text(page.refresh().toSeconds() + "s")
                .raw(" · config ").text(page.agent().configSource()).raw("</div>");
        if (page.state().dryRun()) {
            raw("<div class=\"dry\"><b>Dry run</b>: no action runs; each says what it would do ([agent] dry_run)</div>");
        }
        for (Silences.Silence silence : page.state().silences()) {
            // A silence of every rule is a fact of the whole agent: in the header, as a dry run is.
            if (silence.all()) {
                raw("<div class=\"dry\"><b>Silenced</b>: every rule's rollbacks wait until ")
                        .text(TIME.format(silence.until()) + (silence.comment().isEmpty() ? ""
                                : " (" + silence.comment() + ")"))
                        .raw("; lift with <code>rollguard silence --lift --all</code></div>");
            }
        }
        List<String> reasons = page.health().reasons();
        if (!reasons.isEmpty()) {
            raw("<ul class=\"why\">");
            for (String reason : reasons) {
                raw("<li>").text(reason).raw("</li>");
            }
            raw("</ul>");
        }
        raw("</header>\n");
    }

    /** What is wrong with the state directory, above everything else: it decides whether a rollback can run. */
    private void stateProblems() {
        if (page.state().stateHealth().ok()) {
            return;
        }
        raw("<section id=\"state\" class=\"problem\"><h2>State directory</h2>\n");
        for (io.rollguard.journal.StateHealth.Problem problem : page.state().stateHealth().problems()) {
            raw("<p><span class=\"pill down\">").text(problem.reason()).raw("</span> ").text(problem.message())
                    .raw("</p>\n");
        }
        raw("</section>\n");
    }

    private void host() {
        StatusPage.HostSummary summary = page.summary();
        raw("<section id=\"host\"><h2>Host</h2><dl class=\"stats\">\n");
        stat("CPU", percent(summary.cpuUsageRatio()),
                Double.isFinite(summary.cpuCores()) ? number(summary.cpuCores()) + " cores" : "");
        stat("Memory", percent(summary.memoryUsedRatio()),
                Double.isFinite(summary.memoryTotalBytes()) ? "of " + bytes(summary.memoryTotalBytes()) : "");
        stat("Load", number(summary.load1()), "5m " + number(summary.load5()) + " · 15m " + number(summary.load15()));
        long failing = page.health().checks().stream().filter(c -> c.status() == Status.DOWN).count();
        stat("Checks failing", failing + " / " + page.health().checks().size(), "");
        long firing = page.health().rules().stream()
                .filter(r -> r.state() == RuleState.FIRING).count();
        stat("Rules firing", firing + " / " + page.health().rules().size(),
                page.state().latches().isEmpty() ? "" : page.state().latches().size() + " latched");
        raw("</dl></section>\n");
    }

    private void stat(String name, String value, String detail) {
        raw("<div><dt>").text(name).raw("</dt><dd>").text(value).raw("</dd>");
        if (!detail.isEmpty()) {
            raw("<small>").text(detail).raw("</small>");
        }
        raw("</div>\n");
    }

    private void checks() {
        List<CheckStatus> checks = page.health().checks();
        raw("<section id=\"checks\"><h2>Checks</h2>\n");
        if (checks.isEmpty()) {
            raw("<p class=\"empty\">No checks configured.</p></section>\n");
            return;
        }
        raw("<div class=\"scroll\"><table><tr><th>Status</th><th>Check</th><th>Message</th><th>Since</th></tr>\n");
        for (CheckStatus check : checks) {
            raw("<tr><td><span class=\"pill ").text(cssClass(check.status().name())).raw("\">")
                    .text(check.status().name()).raw("</span></td><td><b");
            if (!check.tags().isEmpty()) { // the /health/GROUP answers it is part of
                raw(" title=\"").text("groups: " + String.join(", ", check.tags())).raw("\"");
            }
            raw(">").text(check.name()).raw("</b> <small>")
                    .text(check.type() + (check.critical() ? " · critical" : "")).raw("</small>")
                    .raw("</td><td class=\"msg\">").text(check.message()).raw("</td><td>").since(check.since())
                    .raw("</td></tr>\n");
        }
        raw("</table></div></section>\n");
    }

    private void rules() {
        List<RuleStatus> rules = page.health().rules();
        raw("<section id=\"rules\"><h2>Rules</h2>\n");
        if (rules.isEmpty()) {
            raw("<p class=\"empty\">No rules configured.</p></section>\n");
            return;
        }
        for (RuleStatus rule : rules) {
            String name = rule.rule().name();
            raw("<div class=\"rule\"><h3>").text(name).raw(" <span class=\"pill ").text(cssClass(rule.state().label()))
                    .raw("\">").text(rule.state().label()).raw("</span> <small>")
                    .text(rule.rule().severity().name().toLowerCase(Locale.ROOT)).raw("</small>");
            for (RollbackGuard.Latch latch : page.state().latches()) {
                if (latch.rule().equals(name)) {
                    raw(" <span class=\"pill down\" title=\"").text("since " + TIME.format(latch.at()))
                            .raw("\">rolled back: ").text(latch.action()).raw("</span>");
                }
            }
            java.util.Optional<Silences.Silence> silenced = page.state().silencing(name);
            if (silenced.isPresent()) {
                raw(" <span class=\"pill silenced\">silenced</span>");
            }
            raw("</h3>");
            if (silenced.isPresent() && !page.state().latched(name)) {
                Silences.Silence silence = silenced.get();
                raw("<p class=\"next\">").text("Rollbacks wait until " + TIME.format(silence.until())
                        + (silence.comment().isEmpty() ? "" : " (" + silence.comment() + ")")
                        + "; one runs then if the rule still fires. Lift now: ")
                        .raw("<code>").text("rollguard silence --lift " + (silence.all() ? "--all" : name))
                        .raw("</code></p>");
            }
            for (RollbackGuard.Latch latch : page.state().latches()) {
                if (latch.rule().equals(name)) {
                    // The next step, where the eye is: what the latch means and the command that lifts it.
                    raw("<p class=\"next\">").text(latch.action() + " ran at " + TIME.format(latch.at()) + " (event "
                            + latch.eventId() + "); it does not run again until re-armed: ")
                            .raw("<code>").text("rollguard rearm " + name).raw("</code>. Incident ")
                            .raw("<a href=\"").text(IncidentEndpoints.PREFIX + latch.incidentId()).raw("\">")
                            .text(latch.incidentId()).raw("</a>: <code>")
                            .text("rollguard incident show " + latch.incidentId()).raw("</code></p>");
                }
            }
            if (rule.state() == RuleState.FIRING && !page.state().latched(name)) {
                lastSkip(name).ifPresent(skip -> raw("<p class=\"next\"><span class=\"pill pending\">")
                        .text(String.valueOf(skip.fields().get("result")).replace('_', ' ')).raw("</span> ")
                        .text(skip.fields().get("action") + ": " + skip.fields().get("message")).raw("</p>"));
            }
            raw("<code>").text(rule.rule().when()).raw("</code>");
            if (!rule.rule().forDuration().isZero()) {
                raw(" <small>for ").text(human(rule.rule().forDuration())).raw("</small>");
            }
            boolean shown = rule.instances().stream().anyMatch(i -> i.reason().equals(rule.problem()));
            if (!rule.problem().isEmpty() && !shown) { // an unknown label set already says it as its reason
                raw("<p class=\"mute\">").text(rule.problem()).raw("</p>");
            }
            instances(rule);
            sparklines(page.series().get(name));
            raw("</div>\n");
        }
        raw("</section>\n");
    }

    private void instances(RuleStatus rule) {
        if (rule.instances().isEmpty()) {
            raw("<p class=\"empty\">Not evaluated yet.</p>");
            return;
        }
        String comparison = rule.rule().condition() instanceof Binary binary
                && binary.op().kind() == Binary.Kind.COMPARISON ? binary.op().symbol() : "vs";
        boolean whole = rule.instances().size() == 1 && rule.instances().get(0).labels().size() == 0;
        raw("<ul>");
        for (RuleStatus.Instance instance : rule.instances()) {
            String value = number(instance.value());
            if (Double.isFinite(instance.threshold())) {
                value += " " + comparison + " " + number(instance.threshold());
            }
            raw("<li>");
            if (!whole) { // the rule's own state says it all for a rule of one series
                raw("<span class=\"pill ").text(cssClass(instance.state().label())).raw("\">")
                        .text(instance.state().label()).raw("</span> <code>").text(instance.labels().toString())
                        .raw("</code> ");
            }
            raw("<b>").text(value).raw("</b> · ").text(instance.reason()).raw(" · ").since(instance.since())
                    .raw("</li>\n");
        }
        raw("</ul>");
    }

    private void sparklines(StatusPage.RuleSeries series) {
        if (series == null || series.shown().isEmpty()) {
            raw("<p class=\"empty\">No history yet for the series it reads.</p>");
            return;
        }
        raw("<div class=\"spark\">");
        for (Sparkline line : series.shown()) {
            raw("<figure><svg viewBox=\"0 0 ").raw(Sparkline.WIDTH + " " + Sparkline.HEIGHT)
                    .raw("\">");
            double threshold = line.thresholdY();
            if (Double.isFinite(threshold)) {
                String y = Sparkline.format(threshold);
                raw("<line x1=\"0\" x2=\"").raw(Integer.toString(Sparkline.WIDTH)).raw("\" y1=\"").text(y)
                        .raw("\" y2=\"").text(y).raw("\"/>");
            }
            raw("<polyline points=\"").text(line.points()).raw("\"/></svg><figcaption>").text(line.series())
                    .raw(" · now ").text(number(line.last())).raw(" · last ").text(human(line.span()))
                    .raw("</figcaption></figure>");
        }
        if (series.hidden() > 0) {
            raw("<p class=\"mute\">and ").text(Integer.toString(series.hidden())).raw(" more series</p>");
        }
        raw("</div>");
    }

    private void deployment() {
        raw("<section id=\"deployment\"><h2>Deployment</h2>\n");
        Deployment deployment = page.state().deployment();
        if (deployment == null) {
            raw("<p class=\"empty\">No deployment recorded.</p></section>\n");
            return;
        }
        raw("<p><b>").text(deployment.version()).raw("</b> <span class=\"pill ").text(cssClass(deployment.state().label()))
                .raw("\">").text(deployment.state().label()).raw("</span> <small>").text(deployment.id())
                .raw("</small><br>started ").since(deployment.startedAt()).raw(" · watch ")
                .text(human(deployment.watch())).raw(" until ").time(deployment.watchEndsAt());
        if (!deployment.reason().isEmpty()) {
            raw("<br>").text(deployment.reason());
        }
        raw("</p>\n");
        score(deployment.score(), deployment.state() == Deployment.State.WATCHING);
        CapturedBaselines baselines = deployment.baselines();
        if (baselines.values().isEmpty() && baselines.missing().isEmpty()) {
            raw("<p class=\"empty\">No baselines: no rule reads baseline(...).</p></section>\n");
            return;
        }
        raw("<div class=\"scroll\"><table><tr><th>Baseline</th><th>Series</th><th>Value</th><th>Samples</th></tr>\n");
        for (CapturedBaselines.Value value : baselines.values()) {
            raw("<tr><td><code>").text(value.selector()).raw("</code></td><td><code>").text(labels(value.labels()))
                    .raw("</code></td><td>").text(number(value.value())).raw("</td><td>")
                    .text(Integer.toString(value.samples())).raw("</td></tr>\n");
        }
        for (String missing : baselines.missing()) {
            raw("<tr><td><code>").text(missing).raw("</code></td><td colspan=\"3\" class=\"empty\">no history before ")
                    .raw("the start</td></tr>\n");
        }
        raw("</table></div><p class=\"mute\">averaged over ").text(human(baselines.window()))
                .raw(" before the start</p></section>\n");
    }

    /**
     * The canary score, live while watching (what the window's end would judge now), as judged after: the score
     * against its thresholds, and each regressed(...) rule's label sets with their classification and effect.
     */
    private void score(Map<String, Object> score, boolean live) {
        if (score == null || score.get("score") == null) {
            return;
        }
        long value = ((Number) score.get("score")).longValue();
        long pass = ((Number) score.get("pass")).longValue();
        long marginal = ((Number) score.get("marginal")).longValue();
        String verdict = value >= pass ? "pass" : value >= marginal ? "marginal" : "fail";
        raw("<p>Canary score <b>").text(Long.toString(value)).raw("</b> <span class=\"pill ")
                .text(cssClass(verdict.equals("pass") ? "healthy" : verdict.equals("marginal") ? "pending" : "firing"))
                .raw("\">").text(verdict).raw("</span> <small>pass at ").text(Long.toString(pass)).raw(", marginal at ")
                .text(Long.toString(marginal)).raw(live ? "; judged when the window ends" : "").raw("</small></p>\n");
        raw("<div class=\"scroll\"><table><tr><th>Rule</th><th>Series</th><th>Classification</th><th>Effect</th>"
                + "<th>p</th><th>Samples</th></tr>\n");
        for (Object entry : (List<?>) score.get("rules")) {
            Map<?, ?> rule = (Map<?, ?>) entry;
            raw("<tr><td>").text(String.valueOf(rule.get("rule"))).raw("</td><td><code>")
                    .text(String.valueOf(rule.get("labels"))).raw("</code></td><td>")
                    .text(String.valueOf(rule.get("classification"))).raw("</td><td>");
            if (rule.get("effect") instanceof Number effect) {
                boolean relative = String.valueOf(rule.get("by")).endsWith("%");
                text(relative ? Comparison.effectText(effect.doubleValue(), true) : number(effect.doubleValue()))
                        .raw(" (by ").text(String.valueOf(rule.get("by"))).raw(")");
                raw("</td><td>").text(String.format(java.util.Locale.ROOT, "%.2g", ((Number) rule.get("p"))
                        .doubleValue())).raw("</td><td>").text(rule.get("current_samples") + " after, "
                        + rule.get("baseline_samples") + " before");
            } else {
                raw("</td><td></td><td>");
            }
            raw("</td></tr>\n");
        }
        raw("</table></div>\n");
    }

    private void events() {
        List<Event> events = page.events();
        raw("<section id=\"events\"><h2>Recent events</h2>\n");
        if (events.isEmpty()) {
            raw("<p class=\"empty\">No events yet.</p></section>\n");
            return;
        }
        raw("<div class=\"scroll\"><table><tr><th>Time</th><th>Event</th><th>Details</th></tr>\n");
        for (int i = events.size() - 1; i >= 0; i--) {
            Event event = events.get(i);
            raw("<tr><td>").since(event.time()).raw("</td><td><b>").text(event.kind()).raw("</b> <small>#")
                    .text(Long.toString(event.id())).raw("</small></td><td class=\"msg\">");
            boolean first = true;
            for (Map.Entry<String, Object> field : event.fields().entrySet()) {
                if (field.getValue() == null) {
                    continue;
                }
                if (!first) {
                    raw(" · ");
                }
                first = false;
                raw("<small>").text(field.getKey()).raw("</small> ")
                        .text(shorten(String.valueOf(field.getValue())));
            }
            raw("</td></tr>\n");
        }
        raw("</table></div></section>\n");
    }

    private StatusPageRenderer raw(String markup) {
        out.append(markup);
        return this;
    }

    private StatusPageRenderer text(String value) {
        out.append(Html.escape(value));
        return this;
    }

    private StatusPageRenderer time(Instant at) {
        return text(TIME.format(at));
    }

    /** "7m 3s ago", with the moment itself as a tooltip. */
    private StatusPageRenderer since(Instant at) {
        Duration ago = Duration.between(at, page.now());
        return raw("<span title=\"").time(at).raw("\">").text(ago.isNegative() ? "just now" : human(ago) + " ago")
                .raw("</span>");
    }

    /** A state as a CSS class: only letters and underscores, whatever the state's name. */
    /**
     * Why the rule's rollback did not start at its latest firing (rate limited, busy, already rolled back), from the
     * page's events; empty when it did, when the events no longer reach back to it, or when the card says it already
     * (latched, silenced).
     */
    private java.util.Optional<Event> lastSkip(String rule) {
        List<Event> events = page.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            Event event = events.get(i);
            if (!rule.equals(event.fields().get("rule"))) {
                continue;
            }
            if (event.kind().equals("rule_firing")) {
                return java.util.Optional.empty();
            }
            Object result = event.fields().get("result");
            if (event.kind().equals("action_skipped") && !"skipped_silenced".equals(result)
                    && !"skipped_latched".equals(result)) {
                return java.util.Optional.of(event);
            }
        }
        return java.util.Optional.empty();
    }

    private static String cssClass(String state) {
        return state.toLowerCase(Locale.ROOT).replaceAll("[^a-z_]", "");
    }

    private static String labels(LabelSet labels) {
        return labels.size() == 0 ? "(no labels)" : labels.toString();
    }

    private static String shorten(String value) {
        String oneLine = value.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= EVENT_FIELD_LIMIT ? oneLine : oneLine.substring(0, EVENT_FIELD_LIMIT) + "…";
    }

    /** The two largest units: "3d 4h", "5h 12m", "7m 3s", "12s". */
    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length - 1; i++) {
            if (seconds >= sizes[i]) {
                long rest = seconds % sizes[i] / sizes[i + 1];
                return seconds / sizes[i] + units[i] + (rest > 0 ? " " + rest + units[i + 1] : "");
            }
        }
        return seconds + "s";
    }

    /** Up to three decimals, trailing zeros dropped; very large or small values in scientific notation; NaN "–". */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.isNaN(value) ? "–" : value > 0 ? "+Inf" : "-Inf";
        }
        double magnitude = Math.abs(value);
        if (magnitude != 0 && (magnitude >= 1e9 || magnitude < 1e-3)) {
            return String.format(Locale.ROOT, "%.3g", value);
        }
        String text = String.format(Locale.ROOT, "%.3f", value);
        text = text.replaceAll("0+$", "");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    private static String percent(double ratio) {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.1f%%", ratio * 100) : "–";
    }

    private static String bytes(double bytes) {
        return Human.bytes(bytes);
    }
}
