package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.Agent;
import io.rollguard.config.Config;
import io.rollguard.journal.IncidentFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard incident list|show}: the incident records of rollbacks, read from the state directory's files, so
 * that they can be read with the agent down (as the agent's user, or root: the directory is not world-readable).
 */
@Command(name = "incident", mixinStandardHelpOptions = true,
        description = "Show the incident records the agent wrote for its rollbacks (read from the state directory).",
        subcommands = {IncidentCommand.ListIncidents.class, IncidentCommand.Show.class})
public final class IncidentCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the incidents, newest first: id, start, outcome, rule, deployment.")
    static final class ListIncidents implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ConfigOption configOption;

        @Option(names = "--json", description = "One JSON object per line.")
        private boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<IncidentFiles> files = files(configOption, err);
            if (files.isEmpty()) {
                return ExitCode.USAGE;
            }
            try {
                List<Map<String, Object>> incidents = files.get().list();
                if (incidents.isEmpty() && !json) {
                    out.println("no incidents in " + files.get().directory());
                }
                for (Map<String, Object> incident : incidents) {
                    out.println(json ? JSON.std.asString(incident) : line(incident));
                }
            } catch (IOException e) {
                err.println("rollguard: cannot read the incidents in " + files.get().directory() + ": "
                        + e.getMessage());
                return ExitCode.FAILED;
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print one incident: Markdown for people, or its JSON with --json.")
    static final class Show implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ConfigOption configOption;

        @Parameters(paramLabel = "ID", description = "The incident's id, as `rollguard incident list` shows it.")
        private String id;

        @Option(names = "--json", description = "The record as JSON.")
        private boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<IncidentFiles> files = files(configOption, err);
            if (files.isEmpty()) {
                return ExitCode.USAGE;
            }
            try {
                Optional<String> text = json
                        ? files.get().read(id).map(IncidentCommand::pretty)
                        : files.get().readMarkdown(id);
                if (text.isEmpty()) {
                    err.println("rollguard: no incident " + id + " in " + files.get().directory()
                            + "; `rollguard incident list` shows them");
                    return ExitCode.FAILED;
                }
                out.print(text.get());
                if (!text.get().endsWith("\n")) {
                    out.println();
                }
            } catch (IOException e) {
                err.println("rollguard: cannot read incident " + id + ": " + e.getMessage());
                return ExitCode.FAILED;
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    private static Optional<IncidentFiles> files(ConfigOption option, PrintWriter err) {
        Optional<Config> config = option.loadReporting(err);
        return config.map(loaded -> new IncidentFiles(Agent.stateDirectory(loaded)));
    }

    private static String pretty(Map<String, Object> incident) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES)
                    .asString(incident);
        } catch (IOException e) {
            throw new IllegalStateException("a map read from JSON writes back as JSON", e);
        }
    }

    /** {@code 20261122T030405Z-57 2026-11-22T03:04:05Z verified rule=errors deployment=d3-... (v42)}. */
    static String line(Map<String, Object> incident) {
        StringBuilder line = new StringBuilder().append(incident.get("id")).append(' ')
                .append(incident.get("started_at")).append(' ').append(incident.get("outcome"))
                .append(" rule=").append(incident.get("rule"));
        if (incident.get("deployment_id") != null) {
            line.append(" deployment=").append(incident.get("deployment_id")).append(" (")
                    .append(incident.get("deployment_version")).append(')');
        }
        return line.toString();
    }
}
