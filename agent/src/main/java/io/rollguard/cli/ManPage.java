package io.rollguard.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code rollguard(1)} in troff, from the same picocli model as {@code --help} and the bash completion, so that the
 * manual page cannot drift from the command line: every command with its synopsis, description and options.
 * {@code ManPageTest} keeps the shipped {@code packaging/rollguard.1.gz} equal to it.
 */
public final class ManPage {
    private ManPage() {}

    /** The page for {@code root}, the {@code rollguard} command line. */
    public static String render(CommandLine root) {
        StringBuilder page = new StringBuilder();
        page.append(".TH ROLLGUARD 1 \"\" \"rollguard\" \"User Commands\"\n");
        page.append(".SH NAME\n").append("rollguard \\- ").append(escape(first(root.getCommandSpec())))
                .append('\n');
        page.append(".SH SYNOPSIS\n.B rollguard\n.I command\n[\\fIoptions\\fR]\n.br\n.B rollguard\n")
                .append("[\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-make\\-archive\\fR]\n");
        page.append(".SH DESCRIPTION\n").append(escape(String.join(" ",
                root.getCommandSpec().usageMessage().description()))).append('\n');
        page.append(".PP\nThe agent runs as \\fBrollguard run\\fR (systemd starts it so); every other command is a")
                .append(" one-shot client of it or of the configuration. The reference of the configuration file,")
                .append(" the HTTP API, the metrics and the journal is /usr/share/doc/rollguard/README.md (the")
                .append(" README of the source tree).\n");
        page.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> entry : root.getSubcommands().entrySet()) {
            command(page, "rollguard " + entry.getKey(), entry.getValue());
        }
        page.append(".SH EXIT STATUS\n");
        page.append(".TP\n.B 0\nsuccess; for \\fBstatus\\fR, the agent's health is UP\n");
        page.append(".TP\n.B 1\na check failed, the agent could not run or does not answer, or its health is DOWN\n");
        page.append(".TP\n.B 2\na usage or configuration error\n");
        page.append(".SH ENVIRONMENT\n");
        page.append(".TP\n.B ROLLGUARD_JAVA_OPTS\nextra options for the JVM, after the launcher's own")
                .append(" (the service reads them from /etc/default/rollguard)\n");
        page.append(".TP\n.B ROLLGUARD_JAR\nanother jar to run\n");
        page.append(".TP\n.BR JAVA_HOME \", \" JAVA\nanother JVM\n");
        page.append(".SH FILES\n");
        page.append(".TP\n.I /etc/rollguard/rollguard.toml\nthe configuration \\fBrun\\fR reads without")
                .append(" \\fB\\-\\-config\\fR\n");
        page.append(".TP\n.I /etc/rollguard/token\nthe token the command line sends to the agent\n");
        page.append(".TP\n.I /var/lib/rollguard\nthe journal (events.jsonl), state.json and the incident records\n");
        page.append(".TP\n.I /usr/share/rollguard\nPrometheus rules and scrape configuration, the Grafana")
                .append(" dashboard, a systemd drop-in\n");
        page.append(".SH SEE ALSO\n.BR rollguard.toml (5),\n.BR systemctl (1),\n.BR journalctl (1),\n")
                .append(".BR promtool (1)\n");
        return page.toString();
    }

    private static void command(StringBuilder page, String name, CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.usageMessage().hidden() || name.endsWith(" help")) {
            return;
        }
        if (!command.getSubcommands().isEmpty()) {
            for (Map.Entry<String, CommandLine> entry : command.getSubcommands().entrySet()) {
                command(page, name + " " + entry.getKey(), entry.getValue());
            }
            return;
        }
        page.append(".SS ").append(escape(name)).append('\n');
        StringBuilder synopsis = new StringBuilder(".B ").append(escape(name)).append('\n');
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp() || option.hidden()) {
                continue;
            }
            String label = option.longestName() + (option.arity().max() > 0 ? " " + option.paramLabel() : "");
            synopsis.append(option.required() ? "\\fB" + escape(label) + "\\fR\n" : "[\\fB" + escape(label)
                    + "\\fR]\n");
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            if (!parameter.hidden()) {
                synopsis.append(parameter.arity().min() > 0 ? "\\fI" + escape(parameter.paramLabel()) + "\\fR\n"
                        : "[\\fI" + escape(parameter.paramLabel()) + "\\fR]\n");
            }
        }
        page.append(synopsis).append(".PP\n").append(escape(String.join(" ", spec.usageMessage().description())))
                .append('\n');
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp() || option.hidden()) {
                continue;
            }
            page.append(".TP\n.B ").append(escape(String.join(", ", option.names())));
            if (option.arity().max() > 0) {
                page.append(" \\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            page.append('\n').append(escape(String.join(" ", option.description()))).append('\n');
        }
    }

    private static String first(CommandSpec spec) {
        String description = String.join(" ", spec.usageMessage().description());
        String sentence = description.endsWith(".") ? description.substring(0, description.length() - 1)
                : description;
        return sentence.isEmpty() ? "" : sentence.substring(0, 1).toLowerCase(Locale.ROOT) + sentence.substring(1);
    }

    /** troff's special characters: backslashes, hyphens (which troff may turn into dashes), a leading dot. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        List<String> lines = escaped.lines().map(line -> line.startsWith(".") || line.startsWith("'")
                ? "\\&" + line : line).toList();
        return String.join("\n", lines);
    }
}
