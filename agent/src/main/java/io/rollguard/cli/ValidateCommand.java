package io.rollguard.cli;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollguard validate --config FILE}: like {@code nginx -t}, every problem with its line and column. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a configuration file and report every problem; exit 2 if there is any.")
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "Configuration file to check.")
    private Path file;

    @Override
    public Integer call() {
        try {
            ConfigLoader.load(file).warnings().forEach(warning ->
                    spec.commandLine().getErr().println("warning: " + warning));
        } catch (ConfigException e) {
            ConfigOption.print(e, spec.commandLine().getErr());
            return ExitCode.USAGE;
        }
        spec.commandLine().getOut().println(file + ": OK");
        return ExitCode.OK;
    }
}
