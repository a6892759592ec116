package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.SystemdCheckSpec;
import io.rollguard.config.check.SystemdCheckSpec.Expectation;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.process.Programs;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A systemd unit is active and/or enabled, as {@code systemctl is-active UNIT} and {@code systemctl is-enabled UNIT}
 * answer. systemctl runs as argv, never through a shell, each call within what is left of the check's timeout.
 * Where systemctl is missing, or cannot reach systemd (a container without it), the check fails saying so rather than
 * reporting the unit as down.
 */
final class SystemdCheck implements Check {
    /** systemctl answers in one word; anything past this is noise. */
    static final int MAX_OUTPUT = 4096;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    /** What {@code is-active} prints for a running unit; "reloading" is still running, between two configurations. */
    private static final Set<String> ACTIVE = Set.of("active", "reloading");
    /**
     * Only "enabled" starts the unit at boot through its own [Install] section, which is what a checklist's
     * "enabled" means; enabled-runtime (until the next reboot), static, indirect and the rest fail, naming the state.
     */
    private static final Set<String> ENABLED = Set.of("enabled");

    private final SystemdCheckSpec spec;
    private final Duration timeout;
    private final String systemctl;
    private final String searchPath;
    private final ProgramLauncher launcher;

    /** What one systemctl call printed: its state word on stdout, or why it has none on stderr. */
    private record Answer(String state, String complaint, boolean finished) {}

    /**
     * @param systemctl the program: a name looked up in {@code searchPath} as a shell would, or a path with a slash
     * @param searchPath directories separated by ':', as in {@code PATH}
     */
    public SystemdCheck(SystemdCheckSpec spec, Duration timeout, String systemctl, String searchPath) {
        this(spec, timeout, systemctl, searchPath, ProgramLauncher.forHost());
    }

    /** @param launcher starts systemctl in a session of its own and stops its process group */
    SystemdCheck(SystemdCheckSpec spec, Duration timeout, String systemctl, String searchPath,
            ProgramLauncher launcher) {
        this.launcher = requireNonNull(launcher, "launcher");
        this.spec = requireNonNull(spec, "spec");
        this.timeout = requireNonNull(timeout, "timeout");
        this.systemctl = requireNonNull(systemctl, "systemctl");
        this.searchPath = requireNonNull(searchPath, "searchPath");
    }

    /** The check of this host: {@code systemctl} from the agent's own {@code PATH}. */
    public static SystemdCheck forHost(SystemdCheckSpec spec, Duration timeout) {
        return forHost(spec, timeout, ProgramLauncher.forHost());
    }

    static SystemdCheck forHost(SystemdCheckSpec spec, Duration timeout, ProgramLauncher launcher) {
        String path = System.getenv("PATH");
        return new SystemdCheck(spec, timeout, "systemctl", path == null ? "/usr/bin:/bin" : path, launcher);
    }

    @Override
    public CheckResult run() throws IOException, InterruptedException {
        String unit = spec.unit();
        Path program = locate();
        if (program == null) {
            return CheckResult.failed("systemctl not found: cannot check unit " + unit);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Expectations expectations = new Expectations();
        List<String> states = new ArrayList<>();
        for (Expectation expectation : List.of(Expectation.ACTIVE, Expectation.ENABLED)) {
            if (!spec.expect().contains(expectation)) {
                continue;
            }
            String verb = expectation == Expectation.ACTIVE ? "is-active" : "is-enabled";
            Answer answer = ask(program, verb, deadline);
            if (!answer.finished()) {
                return CheckResult.failed("systemctl " + verb + " " + unit + " did not finish within "
                        + Human.seconds(timeout.toNanos() / 1e9) + "; stopped it");
            }
            if (answer.state().isEmpty()) {
                return CheckResult.failed("cannot check unit " + unit + ": " + answer.complaint());
            }
            Set<String> wanted = expectation == Expectation.ACTIVE ? ACTIVE : ENABLED;
            String name = expectation == Expectation.ACTIVE ? "active" : "enabled";
            expectations.require(wanted.contains(answer.state()),
                    unit + " is " + answer.state() + " (expected " + name + ")");
            states.add(answer.state());
        }
        return expectations.result(unit + " is " + String.join(" and ", states), Double.NaN);
    }

    /** Runs {@code systemctl VERB -- UNIT}: "--" because a unit name may start with '-', as "-.mount" does. */
    private Answer ask(Path program, String verb, long deadline) throws IOException, InterruptedException {
        Path out = Files.createTempFile("rollguard-systemctl-", ".out");
        Path err = Files.createTempFile("rollguard-systemctl-", ".err");
        try {
            Process process;
            try {
                // Files rather than pipes: a reader of a pipe could wait on a child that never closes it.
                process = launcher.start(new ProcessBuilder(List.of(program.toString(), verb, "--", spec.unit()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile()));
            } catch (IOException e) {
                return new Answer("", "cannot run " + program + ": " + Programs.whyNotStarted(e), true);
            }
            boolean finished;
            try {
                finished = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                launcher.stop(process, KILL_GRACE);
                throw e;
            }
            if (!finished) {
                launcher.stop(process, KILL_GRACE);
                return new Answer("", "", false);
            }
            String state = firstLine(out);
            String complaint = firstLine(err);
            if (complaint.isEmpty()) {
                complaint = "systemctl " + verb + " exited with " + process.exitValue() + " and printed no state";
            }
            return new Answer(state, complaint, true);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The first line that is not blank, stripped and cut at 200 characters; empty when there is none. */
    static String firstLine(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_OUTPUT);
        }
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String stripped = line.strip();
            if (!stripped.isEmpty()) {
                return stripped.length() > 200 ? stripped.substring(0, 200) + "..." : stripped;
            }
        }
        return "";
    }

    /**
     * The program to run, as the launcher would find it. An empty entry of the search path would mean the working
     * directory to a shell; an agent must not run whatever lies there, so empty entries are dropped.
     */
    private Path locate() {
        List<String> directories = new ArrayList<>();
        for (String directory : searchPath.split(":")) {
            if (!directory.isEmpty()) {
                directories.add(directory);
            }
        }
        if (!systemctl.contains("/") && directories.isEmpty()) {
            return null;
        }
        return Programs.locate(systemctl, Path.of(""), String.join(":", directories)).orElse(null);
    }
}
