package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.Config;
import io.rollguard.rule.expr.Comparison;
import io.rollguard.store.LabelSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard status}: the running agent in one screen, as {@code monit summary} shows Monit's: its health and
 * why, the state directory, each check, each rule with its latch and what re-arms it, the deployment and the last
 * incident. Read from {@code /health/detailed} and {@code /api/v1/incidents}, so it is what the agent itself knows,
 * not a new run of the checks as the calling user ({@code rollguard check}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the running agent in one screen: health and why, checks, rules, the deployment and the "
                + "last incident. Exits 0 while /health is UP, 1 while it is DOWN or the agent does not answer.")
public final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Option(names = "--json", description = "The same as one JSON object: {\"health\": /health/detailed, "
            + "\"last_incident\": ...}.")
    private boolean json;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Config> loaded = configOption.loadAsClientReporting(err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        LocalAgent agent = new LocalAgent(loaded.get());
        try {
            LocalAgent.Reply health = agent.send("GET", "/health/detailed");
            if (health.statusCode() != 200 && health.statusCode() != 503) {
                err.println("rollguard: " + agent.base() + " answered " + health.statusCode() + ": " + health.body());
                return ExitCode.FAILED;
            }
            Map<String, Object> detailed = JSON.std.mapFrom(health.body());
            LocalAgent.Reply incidents = agent.send("GET", "/api/v1/incidents");
            Object lastIncident = null;
            if (incidents.statusCode() == 200
                    && JSON.std.mapFrom(incidents.body()).get("incidents") instanceof List<?> list && !list.isEmpty()) {
                lastIncident = list.get(0); // newest first
            }
            if (json) {
                Map<String, Object> both = new LinkedHashMap<>();
                both.put("health", detailed);
                both.put("last_incident", lastIncident);
                out.println(JSON.std.asString(both));
            } else {
                out.print(render(detailed, lastIncident));
            }
            out.flush();
            return "UP".equals(detailed.get("status")) ? ExitCode.OK : ExitCode.FAILED;
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }

    /** The screen: pure, for tests. */
    static String render(Map<String, Object> health, Object lastIncident) {
        StringBuilder text = new StringBuilder();
        text.append("rollguard ").append(health.get("version")).append(": ").append(health.get("status"))
                .append(", up ").append(uptime(number(health.get("uptime_seconds")))).append(", config ")
                .append(health.get("config")).append('\n');
        if (Boolean.TRUE.equals(health.get("dry_run"))) {
            text.append("  dry run: no action runs; each says what it would do ([agent] dry_run)\n");
        }
        for (Object item : list(health.get("silences"))) {
            Map<?, ?> silence = map(item);
            boolean every = "*".equals(silence.get("rule"));
            text.append("  silenced: ").append(every ? "every rule's rollbacks" : silence.get("rule") + "'s rollbacks")
                    .append(" wait ").append(SilenceCommand.describe(silence))
                    .append("; lift with: rollguard silence --lift ")
                    .append(every ? "--all" : silence.get("rule")).append('\n');
        }
        for (Object reason : list(health.get("reasons"))) {
            text.append("  why: ").append(reason).append('\n');
        }
        Map<?, ?> state = map(health.get("state"));
        if (state != null && "DOWN".equals(state.get("status"))) {
            for (Object problem : list(state.get("problems"))) {
                text.append("  state directory: ").append(map(problem).get("message")).append('\n');
            }
        }
        Map<?, ?> journal = map(health.get("journal"));
        if (journal != null && "DOWN".equals(journal.get("status"))) {
            text.append("  journal: ").append(journal.get("last_failure")).append('\n');
        }

        List<?> checks = list(health.get("checks"));
        text.append("\nchecks (").append(checks.size()).append(")\n");
        for (Object item : checks) {
            Map<?, ?> check = map(item);
            text.append(String.format(Locale.ROOT, "  %-7s %-24s %s%s%n", check.get("status"), check.get("name"),
                    Boolean.TRUE.equals(check.get("critical")) ? "(critical) " : "", check.get("message")));
        }

        List<?> rules = list(health.get("rules"));
        text.append("\nrules (").append(rules.size()).append(")\n");
        for (Object item : rules) {
            Map<?, ?> rule = map(item);
            String severity = String.valueOf(rule.get("severity"));
            text.append(String.format(Locale.ROOT, "  %-9s %s%s", rule.get("state"), rule.get("name"),
                    severity.equals("warning") ? "" : " (" + severity + ")"));
            Map<?, ?> silenced = map(rule.get("silenced"));
            if (Boolean.TRUE.equals(rule.get("latched"))) {
                text.append(": rolled back, latched; runs again only after: rollguard rearm ").append(rule.get("name"));
            } else if (silenced != null) {
                text.append(": silenced ").append(SilenceCommand.describe(silenced))
                        .append(", its rollback waits; lift with: rollguard silence --lift ")
                        .append("*".equals(silenced.get("rule")) ? "--all" : rule.get("name"));
            } else if (rule.get("problem") != null) {
                text.append(": ").append(rule.get("problem"));
            }
            text.append('\n');
        }

        Map<?, ?> deployment = map(health.get("deployment"));
        text.append("\ndeployment\n");
        if (deployment == null) {
            text.append("  none\n");
        } else {
            text.append("  ").append(deployment.get("version")).append(' ').append(deployment.get("state"))
                    .append(" (").append(deployment.get("id")).append("), started ")
                    .append(deployment.get("started_at"));
            if ("watching".equals(deployment.get("state"))) {
                text.append(", watched until ").append(deployment.get("watch_ends_at"));
                if (Boolean.TRUE.equals(deployment.get("held"))) {
                    text.append(" (held once for a marginal score)");
                }
            }
            text.append('\n');
            score(text, map(deployment.get("score")));
        }

        text.append("\nlast incident\n");
        Map<?, ?> incident = map(lastIncident);
        if (incident == null) {
            text.append("  none\n");
        } else {
            text.append("  ").append(incident.get("id")).append(' ').append(incident.get("outcome")).append(", rule ")
                    .append(incident.get("rule")).append(", started ").append(incident.get("started_at"))
                    .append(": rollguard incident show ").append(incident.get("id")).append('\n');
        }
        return text.toString();
    }

    /** The canary score: {@code score 83 (pass 95, marginal 75): 5 pass, 1 high}, and each rule that is worse. */
    private static void score(StringBuilder text, Map<?, ?> score) {
        if (score == null || score.get("score") == null) {
            return;
        }
        text.append("  canary score ").append(score.get("score")).append(" (pass ").append(score.get("pass"))
                .append(", marginal ").append(score.get("marginal")).append("):");
        Map<?, ?> counts = map(score.get("counts"));
        String separator = " ";
        for (Map.Entry<?, ?> count : counts.entrySet()) {
            if (((Number) count.getValue()).intValue() > 0) {
                text.append(separator).append(count.getValue()).append(' ').append(count.getKey());
                separator = ", ";
            }
        }
        text.append('\n');
        for (Object entry : (List<?>) score.get("rules")) {
            Map<?, ?> rule = (Map<?, ?>) entry;
            String classification = String.valueOf(rule.get("classification"));
            if (classification.equals("high") || classification.equals("low")) {
                String shown = Comparison.effectText(((Number) rule.get("effect")).doubleValue(),
                        String.valueOf(rule.get("by")).endsWith("%"));
                text.append("    ").append(classification).append(": ").append(rule.get("rule"))
                        .append(labelText(map(rule.get("labels")))).append(' ').append(shown).append(" (by ")
                        .append(rule.get("by")).append(String.format(Locale.ROOT, ", p=%.2g)",
                                ((Number) rule.get("p")).doubleValue())).append('\n');
            }
        }
    }

    /** {@code {check="api"}} as every label set prints, nothing for none. */
    private static String labelText(Map<?, ?> labels) {
        if (labels == null || labels.isEmpty()) {
            return "";
        }
        Map<String, String> names = new LinkedHashMap<>();
        labels.forEach((k, v) -> names.put(String.valueOf(k), String.valueOf(v)));
        return LabelSet.of(names).toString();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : null;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }

    /** 7530 -> "2h 5m"; 42 -> "42s". */
    static String uptime(double seconds) {
        long s = (long) seconds;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }
}
