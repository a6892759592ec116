package io.rollguard.config.action;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type = "exec"}: a program run as argv, never through a shell.
 *
 * @param run the program and its arguments, passed as they are
 * @param cwd the working directory of the program ({@code /} unless configured)
 * @param env variables added to the agent's environment; the run's {@code ROLLGUARD_*} variables come on top
 * @param maxPerHour for a rollback, how many runs an hour the rule engine allows at most
 * @param verify for a rollback, the checks that must pass after the program exits 0
 * @param verifyWithin how long those checks get to pass
 * @param onFailure the action to run when this one fails or its verification does; null for none
 * @param onUnpersisted for a rollback, whether it runs when its latch cannot be written
 */
public record ExecActionConfig(String name, List<String> run, Duration timeout, Path cwd, Map<String, String> env,
        boolean dryRun, boolean rollback, int maxPerHour, List<String> verify, Duration verifyWithin,
        String onFailure, RollbackSettings.OnUnpersisted onUnpersisted) implements ActionConfig {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    public static final Path DEFAULT_CWD = Path.of("/");
    public static final int DEFAULT_MAX_PER_HOUR = 3;
    public static final Duration DEFAULT_VERIFY_WITHIN = Duration.ofMinutes(2);

    public ExecActionConfig {
        requireNonNull(name, "name");
        run = List.copyOf(run);
        if (run.isEmpty()) {
            throw new IllegalArgumentException("run must name a program");
        }
        requireNonNull(timeout, "timeout");
        requireNonNull(cwd, "cwd");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        verify = List.copyOf(verify);
        requireNonNull(verifyWithin, "verifyWithin");
        requireNonNull(onUnpersisted, "onUnpersisted");
    }

    /** An action that, as a rollback, runs when its latch cannot be written: {@code on_unpersisted = "act"}. */
    public ExecActionConfig(String name, List<String> run, Duration timeout, Path cwd, Map<String, String> env,
            boolean dryRun, boolean rollback, int maxPerHour, List<String> verify, Duration verifyWithin,
            String onFailure) {
        this(name, run, timeout, cwd, env, dryRun, rollback, maxPerHour, verify, verifyWithin, onFailure,
                RollbackSettings.OnUnpersisted.ACT);
    }

    /** The settings a test or a caller needs most: {@code run} with every other key at its default. */
    public static ExecActionConfig of(String name, List<String> run) {
        return new ExecActionConfig(name, run, DEFAULT_TIMEOUT, DEFAULT_CWD, Map.of(), false, false,
                DEFAULT_MAX_PER_HOUR, List.of(), DEFAULT_VERIFY_WITHIN, null);
    }

    @Override
    public String type() {
        return "exec";
    }

    @Override
    public Optional<String> fallback() {
        return Optional.ofNullable(onFailure);
    }

    @Override
    public Optional<RollbackSettings> rollbackSettings() {
        return rollback ? Optional.of(new RollbackSettings(maxPerHour, verify, verifyWithin, onUnpersisted))
                : Optional.empty();
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.exec(this);
    }

    // The environment may carry tokens: a configuration that gets logged shows their names only.
    @Override
    public String toString() {
        return "ExecActionConfig[name=" + name + ", run=" + run + ", timeout=" + timeout + ", cwd=" + cwd
                + ", env=" + env.keySet() + ", dryRun=" + dryRun + ", rollback=" + rollback
                + ", maxPerHour=" + maxPerHour + ", verify=" + verify + ", verifyWithin=" + verifyWithin
                + ", onFailure=" + onFailure + "]";
    }
}
