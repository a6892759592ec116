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
        return load(systemConfig, false);
    }

    /** The file a command reads: the one named, else the system file if present; null for the embedded default. */
    Path chosen() {
        return file != null ? file : Files.exists(ConfigLoader.SYSTEM_CONFIG) ? ConfigLoader.SYSTEM_CONFIG : null;
    }

    /** As {@link #loadAsClientReporting}, the problems thrown instead of printed. */
    Config loadAsClient() throws ConfigException {
        return load(ConfigLoader.SYSTEM_CONFIG, true);
    }

    /** @param client whether the command only talks to the agent: see {@link ConfigLoader#loadAsClient} */
    private Config load(Path systemConfig, boolean client) throws ConfigException {
        Path chosen = file != null ? file : Files.exists(systemConfig) ? systemConfig : null;
        if (chosen == null) {
            return ConfigLoader.loadDefault();
        }
        return client ? ConfigLoader.loadAsClient(chosen) : ConfigLoader.load(chosen);
    }

    /**
     * The configuration, as the agent loads it (its files' permissions judged), or empty after printing every
     * problem it has (the command then exits 2).
     */
    java.util.Optional<Config> loadReporting(PrintWriter err) {
        return loadReporting(err, false);
    }

    /** For a command that only talks to the running agent: the files' permissions are the agent's to judge. */
    java.util.Optional<Config> loadAsClientReporting(PrintWriter err) {
        return loadReporting(err, true);
    }

    private java.util.Optional<Config> loadReporting(PrintWriter err, boolean client) {
        try {
            return java.util.Optional.of(load(ConfigLoader.SYSTEM_CONFIG, client));
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
