package io.rollguard.cli;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigProblem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that read a configuration. */
public final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (default: /etc/rollguard/rollguard.toml if present, else the embedded default).")
    Path file;

    /** The file named, else the system file if present, else the embedded default. */
    Config load() throws ConfigException {
        return load(ConfigLoader.SYSTEM_CONFIG);
    }

    Config load(Path systemConfig) throws ConfigException {
        if (file != null) {
            return ConfigLoader.load(file);
        }
        if (Files.exists(systemConfig)) {
            return ConfigLoader.load(systemConfig);
        }
        return ConfigLoader.loadDefault();
    }

    /** The configuration, or empty after printing every problem it has (the command then exits 2). */
    java.util.Optional<Config> loadReporting(PrintWriter err) {
        try {
            return java.util.Optional.of(load());
        } catch (ConfigException e) {
            print(e, err);
            return java.util.Optional.empty();
        }
    }

    static void print(ConfigException e, PrintWriter err) {
        for (ConfigProblem problem : e.problems()) {
            err.println(problem);
        }
        int count = e.problems().size();
        err.println(count == 1 ? "1 problem" : count + " problems");
    }
}
