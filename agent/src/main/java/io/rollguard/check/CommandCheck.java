package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.ControlCharacters;
import io.rollguard.common.Human;
import io.rollguard.config.check.CommandCheckSpec;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.process.Programs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * Runs a program as argv, never through a shell, and judges its exit code and output. Output goes to a temporary
 * file rather than a pipe, so a program that prints gigabytes neither blocks nor fills memory: only its last
 * {@link #MAX_OUTPUT} bytes are read. It runs in a session and process group of its own; on timeout the whole group
 * gets SIGTERM, then SIGKILL.
 */
final class CommandCheck implements Check {
    static final int MAX_OUTPUT = 64 * 1024;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private final CommandCheckSpec spec;
    private final Duration timeout;
    private final ProgramLauncher launcher;

    /** @param launcher starts the program in a session of its own and stops its process group */
    public CommandCheck(CommandCheckSpec spec, Duration timeout, ProgramLauncher launcher) {
        this.spec = requireNonNull(spec, "spec");
        this.timeout = requireNonNull(timeout, "timeout");
        this.launcher = requireNonNull(launcher, "launcher");
    }

    @Override
    public CheckResult run() throws IOException, InterruptedException {
        Path output = Files.createTempFile("rollguard-check-", ".out");
        try {
            Process process;
            try {
                process = launcher.start(new ProcessBuilder(spec.run()).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(output.toFile()));
            } catch (IOException e) {
                return CheckResult.failed("cannot run " + spec.run().get(0) + ": " + Programs.whyNotStarted(e));
            }
            boolean finished;
            try {
                finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                launcher.stop(process, KILL_GRACE);
                throw e;
            }
            if (!finished) {
                launcher.stop(process, KILL_GRACE);
                return CheckResult.failed(spec.run().get(0) + " did not finish within "
                        + Human.seconds(timeout.toNanos() / 1e9) + "; stopped it");
            }
            return judge(process.exitValue(), tail(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    CheckResult judge(int exit, String output) {
        Expectations expectations = new Expectations();
        expectations.require(exit == spec.expectExit(), "exit " + exit + " (expected " + spec.expectExit() + ")"
                + lastLine(output).map(line -> ": " + line).orElse(""));
        if (spec.expectOutput() != null) {
            expectations.require(spec.expectOutput().matcher(output).find(),
                    "output does not match /" + spec.expectOutput().pattern() + "/");
        }
        String summary = "exit " + exit;
        if (spec.expectVersion() != null) {
            Optional<List<Integer>> version = io.rollguard.config.check.VersionRequirement.findVersion(output);
            if (version.isEmpty()) {
                expectations.miss("no version number in the output (needs " + spec.expectVersion() + ")");
            } else {
                String found = join(version.get());
                expectations.require(spec.expectVersion().isMetBy(version.get()),
                        "version " + found + " (needs " + spec.expectVersion() + ")");
                summary += ", version " + found + " (needs " + spec.expectVersion() + ")";
            }
        }
        double value = Double.NaN;
        if (spec.valueRegex() != null) {
            Matcher matcher = spec.valueRegex().matcher(output);
            if (matcher.find() && matcher.group(1) != null) {
                try {
                    value = Double.parseDouble(matcher.group(1).strip());
                    summary += ", value " + matcher.group(1).strip();
                } catch (NumberFormatException e) {
                    expectations.miss("value_regex matched \"" + matcher.group(1) + "\", which is not a number");
                }
            } else {
                expectations.miss("value_regex /" + spec.valueRegex().pattern() + "/ found nothing in the output");
            }
        }
        return expectations.result(summary, value);
    }

    private static String tail(Path output) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            long start = Math.max(0, length - MAX_OUTPUT);
            byte[] bytes = new byte[(int) (length - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Optional<String> lastLine(String output) {
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        if (last.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ControlCharacters.escape(last.length() > 200 ? last.substring(0, 200) + "..." : last));
    }

    private static String join(List<Integer> version) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < version.size(); i++) {
            text.append(i == 0 ? "" : ".").append(version.get(i));
        }
        return text.toString();
    }
}
