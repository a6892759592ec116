package io.rollguard.config;

import io.rollguard.common.Suggestions;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.RollbackSettings;
import io.rollguard.config.action.WebhookActionConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code [action.NAME]} tables: the name and type every action has, then its type's own keys. References
 * between tables ({@code verify} to checks, {@code on_failure} to actions) are resolved against every name the file
 * declares, so a broken check or action is reported once, not again by each table that names it.
 */
final class ActionConfigReader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    // POSIX's portable names; anything else is a typo or a shell-ism such as "$HOME".
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String AGENT_VARIABLES = "ROLLGUARD_";
    private static final List<String> TYPES = List.of("exec", "webhook");
    private static final Duration MIN_EXEC_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_EXEC_TIMEOUT = Duration.ofHours(24);
    private static final Duration MIN_WEBHOOK_TIMEOUT = Duration.ofMillis(100);
    private static final Duration MAX_WEBHOOK_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration MIN_VERIFY_WITHIN = Duration.ofSeconds(1);
    private static final Duration MAX_VERIFY_WITHIN = Duration.ofHours(24);
    private static final Duration MIN_REPEAT_INTERVAL = Duration.ofMinutes(1);
    private static final Duration MAX_REPEAT_INTERVAL = Duration.ofDays(7);
    private static final int MAX_RETRIES = 10;

    private final Path base;
    private final Set<String> checkNames;
    private final Set<String> actionNames = new LinkedHashSet<>();
    /** Each action's {@code on_failure}, with its table for the problems only the whole file can reveal. */
    private final Map<String, TableReader> onFailureTables = new LinkedHashMap<>();
    private final Map<String, String> onFailure = new LinkedHashMap<>();

    /** @param checkNames the {@code [[check]]} names that {@code verify} may refer to */
    ActionConfigReader(Path base, Collection<String> checkNames) {
        this.base = base;
        this.checkNames = new LinkedHashSet<>(checkNames);
    }

    /** @param actions the {@code [action]} table; its keys are the action names, in file order */
    Map<String, ActionConfig> read(TableReader actions) {
        List<String> names = actions.keys();
        actionNames.addAll(names);
        Map<String, ActionConfig> read = new LinkedHashMap<>();
        for (String name : names) {
            TableReader table = actions.table(name);
            if (!actions.hasTable(name)) {
                continue; // reported by table(): "expected a table"
            }
            boolean named = NAME.matcher(name).matches();
            if (named) {
                table.relabel("action \"" + name + "\"");
            } else {
                table.report("the name \"" + name + "\" should be letters, digits, '_', '.' or '-', starting with a "
                        + "letter or digit");
            }
            String type = table.string("type", "exec");
            ActionConfig config;
            if (type.equals("exec")) {
                config = exec(name, table);
            } else if (type.equals("webhook")) {
                config = webhook(name, table);
            } else {
                StringBuilder message = new StringBuilder("unknown action type \"" + type + "\"");
                Suggestions.closest(type, TYPES).ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
                message.append("; known types: ").append(String.join(", ", TYPES));
                table.report("type", message.toString());
                continue; // its other keys cannot be judged without a type
            }
            table.rejectUnknownKeys();
            if (named && config != null) {
                read.put(name, config);
            }
        }
        rejectOnFailureCycles();
        return read;
    }

    private ActionConfig exec(String name, TableReader table) {
        List<String> run = table.strings("run", List.of());
        if (!table.has("run")) {
            table.report("missing required key \"run\" (the program and its arguments, such as "
                    + "[\"/opt/app/rollback.sh\", \"--to\", \"previous\"])");
        } else if (run.isEmpty()) {
            table.report("run", "must name a program: [\"program\", \"argument\", ...]");
        } else if (run.get(0).isBlank()) {
            table.report("run", "the program (the first element) must not be empty");
        } else if (run.stream().anyMatch(argument -> argument.indexOf('\0') >= 0)) {
            table.report("run", "an argument contains a NUL character, which no program can receive");
        }
        Duration timeout = table.duration("timeout", ExecActionConfig.DEFAULT_TIMEOUT, MIN_EXEC_TIMEOUT,
                MAX_EXEC_TIMEOUT);
        Path cwd = table.path("cwd", ExecActionConfig.DEFAULT_CWD, base);
        Map<String, String> env = environment(table);
        boolean dryRun = table.bool("dry_run", false);
        boolean rollback = table.bool("rollback", false);
        int maxPerHour = (int) table.integer("max_per_hour", ExecActionConfig.DEFAULT_MAX_PER_HOUR, 1, 1000);
        List<String> verify = table.strings("verify", List.of());
        for (String check : verify) {
            if (!checkNames.contains(check)) {
                table.report("verify", unknown("[[check]]", check, checkNames));
            }
        }
        Duration verifyWithin = table.duration("verify_within", ExecActionConfig.DEFAULT_VERIFY_WITHIN,
                MIN_VERIFY_WITHIN, MAX_VERIFY_WITHIN);
        RollbackSettings.OnUnpersisted onUnpersisted = table.choice("on_unpersisted",
                RollbackSettings.OnUnpersisted.class, RollbackSettings.OnUnpersisted.ACT);
        for (String key : List.of("max_per_hour", "verify", "on_unpersisted")) {
            if (table.has(key) && !rollback) {
                table.report(key, "applies to rollback actions only: set rollback = true, or remove it");
            }
        }
        if (table.has("verify_within") && !table.has("verify")) {
            table.report("verify_within", "has nothing to wait for: name the checks to wait for in \"verify\"");
        }
        String failureAction = table.string("on_failure", null);
        if (failureAction != null) {
            if (failureAction.equals(name)) {
                table.report("on_failure", "an action cannot be its own on_failure action");
            } else if (!actionNames.contains(failureAction)) {
                table.report("on_failure", unknown("action", failureAction, actionNames));
            } else {
                onFailure.put(name, failureAction);
                onFailureTables.put(name, table);
            }
        }
        if (run.isEmpty()) {
            return null;
        }
        return new ExecActionConfig(name, run, timeout, cwd, env, dryRun, rollback, maxPerHour, verify, verifyWithin,
                failureAction, onUnpersisted);
    }

    private static Map<String, String> environment(TableReader table) {
        Map<String, String> env = table.stringTable("env");
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (!VARIABLE.matcher(name).matches()) {
                table.report("env", "\"" + name + "\" is not a variable name: letters, digits and '_', not starting "
                        + "with a digit");
            } else if (name.startsWith(AGENT_VARIABLES)) {
                table.report("env", name + ": the " + AGENT_VARIABLES + "* variables describe the breach and are set by "
                        + "the agent");
            } else if (variable.getValue().indexOf('\0') >= 0) {
                table.report("env", name + ": the value contains a NUL character, which no environment can hold");
            }
        }
        return env;
    }

    private static ActionConfig webhook(String name, TableReader table) {
        URI url = table.httpUrl("url");
        Duration timeout = table.duration("timeout", WebhookActionConfig.DEFAULT_TIMEOUT, MIN_WEBHOOK_TIMEOUT,
                MAX_WEBHOOK_TIMEOUT);
        Map<String, String> headers = table.stringTable("headers");
        headers.forEach((header, value) -> {
            try {
                // The HTTP client's own rules: the names it sets itself (Host, Content-Length) and malformed ones.
                HttpRequest.newBuilder().header(header, value);
            } catch (IllegalArgumentException e) {
                table.report("headers", "\"" + header + "\" cannot be sent: " + e.getMessage());
            }
        });
        int retries = (int) table.integer("retries", WebhookActionConfig.DEFAULT_RETRIES, 0, MAX_RETRIES);
        Duration repeatInterval = table.duration("repeat_interval", null, MIN_REPEAT_INTERVAL, MAX_REPEAT_INTERVAL);
        boolean dryRun = table.bool("dry_run", false);
        if (table.bool("rollback", false)) {
            table.report("rollback", "a webhook cannot roll back; a rollback runs a program: type = \"exec\"");
        }
        if (url == null) {
            return null;
        }
        return new WebhookActionConfig(name, url, timeout, headers, retries, repeatInterval, dryRun);
    }

    /** A chain of on_failure actions that comes back to where it started would run for ever. */
    private void rejectOnFailureCycles() {
        Set<String> reported = new LinkedHashSet<>();
        for (String start : onFailure.keySet()) {
            List<String> chain = new ArrayList<>(List.of(start));
            String next = onFailure.get(start);
            while (next != null && !chain.contains(next)) {
                chain.add(next);
                next = onFailure.get(next);
            }
            if (start.equals(next) && reported.add(String.join(" ", chain.stream().sorted().toList()))) {
                chain.add(start);
                onFailureTables.get(start).report("on_failure", "on_failure actions form a cycle: "
                        + String.join(" -> ", chain));
            }
        }
    }

    private static String unknown(String what, String name, Set<String> names) {
        StringBuilder message = new StringBuilder("no " + what + " is named \"" + name + "\"");
        Suggestions.closest(name, names).ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
        return message.toString();
    }
}
