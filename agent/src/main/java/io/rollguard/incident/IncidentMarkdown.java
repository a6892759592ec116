package io.rollguard.incident;

import java.util.List;
import java.util.Map;

/**
 * An incident record for people: a Markdown page with a summary, the breach against the baseline, the timeline, the
 * log lines, the script's output and the verification. Text from outside (log lines, output) goes into fenced blocks
 * whose fence is longer than any run of backticks inside, so it is shown as written and never read as Markdown.
 */
final class IncidentMarkdown {
    private IncidentMarkdown() {}

    public static String render(Map<String, Object> incident) {
        StringBuilder md = new StringBuilder();
        md.append("# Incident ").append(incident.get("id")).append(": ").append(incident.get("rule"))
                .append(" on ").append(incident.get("host")).append("\n\n");
        md.append("- **outcome**: ").append(incident.get("outcome")).append('\n');
        md.append("- **rule**: ").append(incident.get("rule")).append(labels(incident.get("labels")))
                .append(" (").append(incident.get("severity")).append(")\n");
        md.append("- **host**: ").append(incident.get("host")).append('\n');
        md.append("- **deployment**: ").append(incident.get("deployment_id") == null ? "none"
                : incident.get("deployment_id") + " (version " + incident.get("deployment_version") + ")")
                .append('\n');
        if (incident.get("deployment") instanceof Map<?, ?> deployed && deployed.get("score") instanceof Map<?, ?> score
                && score.get("score") != null) {
            md.append("- **canary score**: ").append(score.get("score")).append(" (pass ").append(score.get("pass"))
                    .append(", marginal ").append(score.get("marginal")).append(")");
            String separator = ": ";
            for (Object entry : (List<?>) score.get("rules")) {
                Map<?, ?> metric = (Map<?, ?>) entry;
                md.append(separator).append(metric.get("rule")).append(labels(metric.get("labels"))).append(' ')
                        .append(metric.get("classification"));
                separator = ", ";
            }
            md.append('\n');
        }
        md.append("- **rollback started**: ").append(incident.get("started_at")).append('\n');
        if (!String.valueOf(incident.getOrDefault("description", "")).isEmpty()) {
            md.append("- **description**: ").append(oneLine(incident.get("description"))).append('\n');
        }

        Map<?, ?> breach = (Map<?, ?>) incident.get("breach");
        md.append("\n## Breach\n\n");
        md.append("Condition:\n\n").append(fenced(String.valueOf(breach.get("condition")), "promql"));
        md.append("\n- **value**: ").append(breach.get("value")).append('\n');
        md.append("- **threshold**: ").append(breach.get("threshold")).append('\n');
        md.append("- **fired at**: ").append(breach.get("fired_at")).append(" (event ")
                .append(breach.get("fired_event_id")).append(")\n");
        md.append("- **why**: ").append(oneLine(breach.get("reason"))).append('\n');
        List<?> baselines = (List<?>) breach.get("baselines");
        md.append("\n### Baselines\n\n");
        if (baselines.isEmpty()) {
            md.append("The condition reads no baseline, or the deployment had none.\n");
        } else {
            md.append("| selector | labels | baseline | samples |\n| --- | --- | --- | --- |\n");
            for (Object entry : baselines) {
                Map<?, ?> baseline = (Map<?, ?>) entry;
                md.append("| `").append(cell(baseline.get("selector"))).append("` | ")
                        .append(cell(labels(baseline.get("labels")))).append(" | ").append(baseline.get("value"))
                        .append(" | ").append(baseline.get("samples")).append(" |\n");
            }
        }
        if (breach.get("statistics") instanceof Map<?, ?> statistics) {
            statistics(md, statistics);
        }

        md.append("\n## Timeline\n\n");
        for (Object entry : (List<?>) incident.get("timeline")) {
            Map<?, ?> event = (Map<?, ?>) entry;
            md.append("- ").append(event.get("time")).append(" `").append(event.get("kind")).append('`');
            for (String key : List.of("action", "result", "version", "state")) {
                if (event.get(key) != null) {
                    md.append(' ').append(key).append('=').append(oneLine(event.get(key)));
                }
            }
            for (String key : List.of("reason", "message")) {
                if (event.get(key) != null && !String.valueOf(event.get(key)).isEmpty()) {
                    md.append(": ").append(oneLine(event.get(key)));
                    break;
                }
            }
            md.append('\n');
        }

        md.append("\n## Log lines\n\n");
        Map<?, ?> logLines = (Map<?, ?>) incident.get("log_lines");
        if (logLines.isEmpty()) {
            md.append("No log check had matching lines.\n");
        }
        logLines.forEach((check, lines) -> {
            md.append("### ").append(check).append("\n\n");
            md.append(fenced(String.join("\n", ((List<?>) lines).stream().map(String::valueOf).toList()), ""));
        });

        Map<?, ?> rollback = (Map<?, ?>) incident.get("rollback");
        md.append("\n## Rollback\n\n");
        md.append("- **action**: ").append(rollback.get("action")).append('\n');
        md.append("- **result**: ").append(rollback.get("result")).append('\n');
        md.append("- **exit code**: ").append(rollback.get("exit_code")).append('\n');
        md.append("- **duration**: ").append(rollback.get("duration_seconds")).append(" s\n");
        md.append("- **message**: ").append(oneLine(rollback.get("message"))).append("\n\n");
        String output = String.valueOf(rollback.get("output"));
        md.append("Output (the last 64 KiB at most):\n\n").append(fenced(output.isEmpty() ? "(none)" : output, ""));

        md.append("\n## Verification\n\n");
        Map<?, ?> verification = (Map<?, ?>) incident.get("verification");
        if (verification == null) {
            md.append("The rollback has no `verify` checks.\n");
        } else {
            md.append("- **checks**: ").append(String.join(", ",
                    ((List<?>) verification.get("checks")).stream().map(String::valueOf).toList())).append('\n');
            md.append("- **result**: ").append(verification.get("result")).append('\n');
            md.append("- **message**: ").append(oneLine(verification.get("message"))).append('\n');
        }
        return md.toString();
    }

    /** A fenced block that nothing inside can close: its fence is longer than the longest run of backticks. */
    static String fenced(String text, String language) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            run = text.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        return fence + language + "\n" + text + (text.endsWith("\n") ? "" : "\n") + fence + "\n";
    }

    /** What a regressed(...) decided on: the test, both sides' samples and the shift with its interval. */
    private static void statistics(StringBuilder md, Map<?, ?> statistics) {
        md.append("\n### Statistics\n\n");
        md.append("One-sided Mann-Whitney U test (").append(statistics.get("worse")).append(" is worse) at ")
                .append(percent(statistics.get("confidence"))).append(" confidence, by = ")
                .append(statistics.get("by")).append(":\n\n");
        Object against = statistics.get("against");
        md.append(against == null ? "| | before the start | after |\n| --- | --- | --- |\n"
                : "| | `" + cell(against) + "` | this series |\n| --- | --- | --- |\n");
        md.append("| samples | ").append(statistics.get("baseline_samples")).append(" | ")
                .append(statistics.get("current_samples")).append(" |\n");
        md.append("| median | ").append(statistics.get("baseline_median")).append(" | ")
                .append(statistics.get("current_median")).append(" |\n");
        md.append("| distribution | `").append(statistics.get("baseline_sparkline")).append("` | `")
                .append(statistics.get("current_sparkline")).append("` |\n\n");
        List<?> interval = (List<?>) statistics.get("shift_interval");
        List<?> range = (List<?>) statistics.get("sparkline_range");
        md.append("- **shift** (Hodges-Lehmann, positive is worse): ").append(statistics.get("shift"))
                .append(", ").append(percent(statistics.get("confidence"))).append(" interval ")
                .append(interval.get(0)).append(" to ").append(interval.get(1)).append('\n');
        md.append("- **effect** compared with by: ").append(statistics.get("effect")).append('\n');
        md.append("- **U**: ").append(statistics.get("u")).append(", **p**: ").append(statistics.get("p"))
                .append('\n');
        md.append("- **distribution range**: ").append(range.get(0)).append(" to ").append(range.get(1))
                .append(" (16 bins; the outer 1% in the end bins)\n");
    }

    private static String percent(Object ratio) {
        return ratio instanceof Number number
                ? java.math.BigDecimal.valueOf(number.doubleValue() * 100).stripTrailingZeros().toPlainString() + "%"
                : String.valueOf(ratio);
    }

    private static String labels(Object labels) {
        if (!(labels instanceof Map) || ((Map<?, ?>) labels).isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("{");
        ((Map<?, ?>) labels).forEach((key, value) -> text.append(text.length() > 1 ? ", " : "").append(key)
                .append("=\"").append(value).append('"'));
        return text.append('}').toString();
    }

    /** Free text on one line of a list item. */
    private static String oneLine(Object text) {
        return String.valueOf(text).replaceAll("[\\r\\n]+", " ");
    }

    private static String cell(Object text) {
        return oneLine(text).replace("|", "\\|");
    }
}
