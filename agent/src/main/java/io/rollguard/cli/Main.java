package io.rollguard.cli;

import io.rollguard.Version;
import java.io.PrintWriter;
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
                CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = ExitCode.USAGE,
        exitCodeOnExecutionException = ExitCode.FAILED)
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: run, check, validate, events, rearm, reload, deploy or help");
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
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
