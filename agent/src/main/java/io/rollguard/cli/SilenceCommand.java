package io.rollguard.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard silence RULE|--all --for 30m}: pauses rollbacks for maintenance; {@code --lift} ends a silence
 * early; without a rule, lists the silences in force.
 */
@Command(name = "silence", mixinStandardHelpOptions = true,
        description = {"Pause a rule's rollbacks (every rule's with --all) for a while, for maintenance. The rule is "
                + "still evaluated and journaled; its rollback waits, and runs when the silence ends if the rule "
                + "still fires.",
                "Without RULE or --all, list the silences in force."})
public final class SilenceCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Parameters(arity = "0..1", paramLabel = "RULE", description = "The rule to silence, or whose silence to lift.")
    private String rule;

    @Option(names = "--all", description = "Every rule (with --lift: every silence).")
    private boolean all;

    @Option(names = "--for", paramLabel = "DURATION", description = "How long, such as 30m or 2h (at most 7d).")
    private String duration;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why, for the journal and the status page.")
    private String comment;

    @Option(names = "--lift", description = "End the silence now: the rollbacks run again.")
    private boolean lift;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (rule != null && all) {
            err.println("rollguard: give a RULE or --all, not both");
            return ExitCode.USAGE;
        }
        if (rule == null && !all) {
            if (lift || duration != null || comment != null) {
                err.println("rollguard: name the RULE, or give --all");
                return ExitCode.USAGE;
            }
            return DeployCommand.request(spec, configOption, "GET", "/api/v1/silences", null, SilenceCommand::list);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (all) {
            body.put("all", true);
        } else {
            body.put("rule", rule);
        }
        if (lift) {
            if (duration != null || comment != null) {
                err.println("rollguard: --lift takes no --for or --comment");
                return ExitCode.USAGE;
            }
            return DeployCommand.request(spec, configOption, "POST", "/api/v1/silences/lift", body,
                    SilenceCommand::lifted);
        }
        if (duration == null) {
            err.println("rollguard: say for how long with --for, such as --for 30m");
            return ExitCode.USAGE;
        }
        body.put("for", duration);
        if (comment != null) {
            body.put("comment", comment);
        }
        return DeployCommand.request(spec, configOption, "POST", "/api/v1/silences", body, SilenceCommand::silenced);
    }

    private static void silenced(Map<String, Object> answer, PrintWriter out) {
        Map<?, ?> silence = (Map<?, ?>) answer.get("silence");
        boolean every = "*".equals(silence.get("rule"));
        out.println("silenced " + (every ? "every rule" : silence.get("rule")) + " " + describe(silence) + ": "
                + (every ? "rollbacks wait" : "its rollbacks wait") + ", and run then if still firing; lift with: "
                + "rollguard silence --lift " + (every ? "--all" : silence.get("rule")));
    }

    private static void lifted(Map<String, Object> answer, PrintWriter out) {
        List<?> lifted = (List<?>) answer.get("lifted");
        if (lifted.isEmpty()) {
            out.println("nothing was silenced");
        }
        for (Object each : lifted) {
            Map<?, ?> silence = (Map<?, ?>) each;
            out.println("lifted the silence of " + name(silence) + ": its rollbacks run again");
        }
        if (answer.get("still_silenced_by") instanceof Map<?, ?> still) {
            out.println("still silenced by the silence of " + name(still) + " " + describe(still)
                    + "; lift it with: rollguard silence --lift --all");
        }
    }

    private static void list(Map<String, Object> answer, PrintWriter out) {
        List<?> silences = (List<?>) answer.get("silences");
        if (silences.isEmpty()) {
            out.println("no silences: every rule's rollbacks run");
        }
        for (Object each : silences) {
            Map<?, ?> silence = (Map<?, ?>) each;
            out.println(name(silence) + " silenced " + describe(silence));
        }
    }

    private static String name(Map<?, ?> silence) {
        return "*".equals(silence.get("rule")) ? "every rule" : String.valueOf(silence.get("rule"));
    }

    /** "until 2026-12-07T14:05:00Z (db migration)". */
    static String describe(Map<?, ?> silence) {
        Object comment = silence.get("comment");
        return "until " + silence.get("until")
                + (comment == null || String.valueOf(comment).isEmpty() ? "" : " (" + comment + ")");
    }
}
