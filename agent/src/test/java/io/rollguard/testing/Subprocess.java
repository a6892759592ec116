package io.rollguard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child processes for tests, started as a service manager would start them: every signal at its default
 * disposition, whatever the caller's. A suite run under {@code nohup} ignores SIGHUP, and an ignored signal is
 * inherited across exec, so without this a child agent would never see the {@code kill -HUP} a reload test sends.
 */
public final class Subprocess {
    private static final boolean ENV_RESETS_SIGNALS = envResetsSignals();

    private Subprocess() {
    }

    /** A builder for {@code command} whose child starts with default signal dispositions (coreutils' env). */
    public static ProcessBuilder builder(List<String> command) {
        List<String> argv = new ArrayList<>();
        if (ENV_RESETS_SIGNALS) {
            argv.addAll(List.of("env", "--default-signal"));
        }
        argv.addAll(command);
        return new ProcessBuilder(argv);
    }

    /**
     * A builder for {@code command} whose child starts as under {@code nohup}: SIGHUP ignored, every other signal at
     * its default. Only where {@link #resetsSignals()}.
     */
    public static ProcessBuilder builderIgnoringHangup(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("env", "--default-signal", "--ignore-signal=HUP"));
        argv.addAll(command);
        return new ProcessBuilder(argv);
    }

    /** Runs {@code command} (see {@link #builder}) to its end, its output discarded; its exit code. */
    public static int run(String... command) throws IOException, InterruptedException {
        return builder(List.of(command)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    /** Whether {@code tool} is an executable in a directory of {@code $PATH}. */
    public static boolean onPath(String tool) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@link #builder} can reset signals here: false only where coreutils' env is older than 8.31. */
    public static boolean resetsSignals() {
        return ENV_RESETS_SIGNALS;
    }

    /** Whether this JVM was started with SIGHUP ignored (under nohup): bit 0 of SigIgn in /proc/self/status. */
    public static boolean hangupIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring("SigIgn:".length()).strip(), 16) & 1) != 0;
            }
        }
        return false;
    }

    private static boolean envResetsSignals() {
        try {
            Process probe = new ProcessBuilder("env", "--default-signal", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
