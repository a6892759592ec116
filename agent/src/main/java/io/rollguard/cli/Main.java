package io.rollguard.cli;

import io.rollguard.Version;
import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code rollguard} command line. Exit codes: 0 success, 1 a check failed or the agent could not run, 2 usage or configuration error. */
@Command(
        name = "rollguard",
        mixinStandardHelpOptions = true,
        versionProvider = Version.Provider.class,
        description = "Watches a host and its deployments, and rolls back when a rule fires.",
        subcommands = {RunCommand.class, CheckCommand.class, ValidateCommand.class, EventsCommand.class,
                RearmCommand.class, SilenceCommand.class, ReloadCommand.class, DeployCommand.class,
                IncidentCommand.class, StatusCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        exitCodeOnInvalidInput = ExitCode.USAGE,
        exitCodeOnExecutionException = ExitCode.FAILED)
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        java.util.List<String> names = spec.subcommands().entrySet().stream()
                .filter(command -> !command.getValue().getCommandSpec().usageMessage().hidden())
                .map(java.util.Map.Entry::getKey).toList();
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: "
                + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1));
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Bash completion for every command and option, as bash-completion loads it: sourced, so without the
     * {@code #!} line that {@code rollguard generate-completion} prints first.
     */
    public static String bashCompletion() {
        String script = AutoComplete.bash("rollguard", new CommandLine(new Main()));
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // Users get a sentence and an exit code, never a stack trace.
        commandLine.setExecutionExceptionHandler((exception, command, parsed) -> {
            command.getErr().println("rollguard: internal error: " + exception);
            return ExitCode.FAILED;
        });
        return commandLine.execute(args);
    }
}
