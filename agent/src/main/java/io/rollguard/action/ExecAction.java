package io.rollguard.action;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.common.Human;
import io.rollguard.common.Quantities;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.common.Failures;
import io.rollguard.common.Json;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.process.Programs;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code type = "exec"}: runs {@code run} as argv, never through a shell, in {@code cwd}, with the agent's
 * environment plus {@code env} plus the request's {@code ROLLGUARD_*} variables, and the event as JSON on standard
 * input. Output (standard output and error merged) is logged line by line as it arrives, control characters escaped,
 * and its tail kept. The program runs in a session and process group of its own ({@link ProgramLauncher}); one that
 * outlives its timeout has its whole group stopped: SIGTERM, then SIGKILL after a grace period.
 *
 * <p>Before it starts a program, it refuses one that someone other than root or the agent's user could have
 * changed (DESIGN.md, "Security").
 */
final class ExecAction implements Action {
    private static final Logger log = LoggerFactory.getLogger(ExecAction.class);

    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /**
     * After the program exits, how long its output may take to reach its end. A process it left in the background
     * (a server started with {@code &}) holds the pipe for as long as it lives; the outcome does not wait for it.
     */
    static final Duration DRAIN = Duration.ofSeconds(2);

    private final ExecActionConfig config;
    private final boolean dryRun;
    private final boolean allowInsecure;
    private final Executor pipes;
    private final TimeSource time;
    private final Timer timer;
    private final Duration killGrace;
    private final ProgramLauncher launcher;

    /**
     * @param dryRun the action's {@code dry_run} or {@code [agent] dry_run}
     * @param pipes runs the tasks that read a program's output and write its input; each may block for as long as
     *     a background process holds its pipe, so this pool must grow rather than queue
     * @param timer the agent's: the timeout is one of its deadlines, so a test steps it
     * @param killGrace between SIGTERM and SIGKILL
     */
    ExecAction(ExecActionConfig config, boolean dryRun, Executor pipes, TimeSource time, Timer timer,
            Duration killGrace) {
        this(config, dryRun, false, pipes, time, timer, killGrace, ProgramLauncher.forHost());
    }

    /**
     * @param allowInsecure {@code [agent] allow_insecure_permissions}: run a program others could change, warning
     * @param launcher starts the program in a session of its own and stops its process group
     */
    ExecAction(ExecActionConfig config, boolean dryRun, boolean allowInsecure, Executor pipes, TimeSource time,
            Timer timer, Duration killGrace, ProgramLauncher launcher) {
        this.config = requireNonNull(config, "config");
        this.dryRun = dryRun;
        this.allowInsecure = allowInsecure;
        this.pipes = requireNonNull(pipes, "pipes");
        this.time = requireNonNull(time, "time");
        this.timer = requireNonNull(timer, "timer");
        this.killGrace = requireNonNull(killGrace, "killGrace");
        this.launcher = requireNonNull(launcher, "launcher");
    }

    @Override
    public CompletableFuture<ActionOutcome> run(ActionRequest request) {
        return CompletableFuture.completedFuture(execute(request));
    }

    /** Runs the program to its end on the calling thread. */
    ActionOutcome execute(ActionRequest request) {
        String name = config.name();
        String program = config.run().get(0);
        if (dryRun) {
            String message = "would run: " + config.run();
            log.info("{}: dry run: {}", name, message);
            return ActionOutcome.of(Result.DRY_RUN, Duration.ZERO, message);
        }
        long started = time.nanoTime();
        Optional<String> refusal = refusal(program);
        if (refusal.isPresent()) {
            return failed(started, refusal.get());
        }
        byte[] input = withNewline(Json.bytes(request.event()));
        ProcessBuilder builder = new ProcessBuilder(config.run()).directory(config.cwd().toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(config.env());
        builder.environment().putAll(request.environment());
        Process process;
        try {
            process = launcher.start(builder);
        } catch (IOException e) {
            return failed(started, "cannot run " + program + ": " + Programs.whyNotStarted(e));
        }
        log.info("{}: started {} (pid {}, timeout {})", name, program, process.pid(),
                Quantities.formatDuration(config.timeout()));
        ProgramOutput output = new ProgramOutput(name, log);
        CompletableFuture<Void> pumped;
        try {
            pumped = CompletableFuture.runAsync(() -> output.pump(process.getInputStream()), pipes);
            pipes.execute(() -> feed(process, input));
        } catch (RejectedExecutionException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return failed(started, "stopped " + program + " at once: the agent is stopping");
        }

        boolean timedOut = false;
        boolean interrupted = false;
        // True when the program exits; false at its timeout, a deadline on the agent's timer.
        CompletableFuture<Boolean> ended = new CompletableFuture<>();
        process.onExit().thenRun(() -> ended.complete(true));
        Timer.Scheduled deadline;
        try {
            deadline = timer.schedule(config.timeout(), () -> ended.complete(false));
        } catch (RejectedExecutionException e) {
            deadline = () -> { };
            ended.complete(false); // the agent is stopping: the program is not left to run without a bound
        }
        try {
            if (!ended.get()) {
                timedOut = true;
                log.warn("{}: still running after {}; stopping its process tree (SIGTERM, SIGKILL after {})", name,
                        Quantities.formatDuration(config.timeout()), Quantities.formatDuration(killGrace));
                launcher.stop(process, killGrace);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            log.warn("{}: the agent is stopping; stopping its process tree", name);
            stopWhileStopping(process);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot happen: nothing completes it exceptionally", e);
        } finally {
            deadline.cancel();
        }
        boolean drained = drain(pumped);
        if (!drained) {
            output.abandon();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }

        Duration took = Duration.ofNanos(time.nanoTime() - started);
        Integer exit = process.isAlive() ? null : process.exitValue();
        Result result;
        StringBuilder message = new StringBuilder();
        if (interrupted) {
            result = Result.FAILED;
            message.append("stopped after ").append(Human.seconds(took.toNanos() / 1e9))
                    .append(": the agent is stopping");
        } else if (timedOut) {
            result = Result.TIMEOUT;
            message.append("timed out after ").append(Quantities.formatDuration(config.timeout()))
                    .append("; stopped its process tree");
        } else {
            result = exit == 0 ? Result.OK : Result.FAILED;
            message.append("exit ").append(exit).append(" after ").append(Human.seconds(took.toNanos() / 1e9));
            String last = output.lastLine();
            if (exit != 0 && !last.isEmpty()) {
                message.append(": ").append(last);
            }
        }
        if (output.total() > ProgramOutput.TAIL_BYTES) {
            message.append("; ").append(Human.bytes(output.total())).append(" of output, the last ")
                    .append(ProgramOutput.TAIL_BYTES / 1024).append(" KiB kept");
        }
        if (!drained) {
            message.append("; a process it left running still holds its output, which is no longer collected");
        }
        if (result == Result.OK) {
            log.info("{}: {}", name, message);
        } else {
            log.warn("{}: {}", name, message);
        }
        return new ActionOutcome(result, exit, took, output.tail(), message.toString());
    }

    /** Why the program must not start, checked before anything runs; empty when it may. */
    private Optional<String> refusal(String program) {
        Path cwd = config.cwd();
        if (!Files.isDirectory(cwd)) {
            return Optional.of("cannot run " + program + ": its working directory " + cwd + " is not a directory");
        }
        Optional<Path> located = Programs.locate(program, cwd, System.getenv("PATH"));
        if (located.isEmpty()) {
            return Optional.empty(); // starting it says what is missing
        }
        try {
            Optional<String> distrust = Programs.distrust(located.get(), System.getProperty("user.name"));
            if (distrust.isPresent() && allowInsecure) {
                log.warn("{}: {}; running it anyway ([agent] allow_insecure_permissions)", config.name(),
                        distrust.get().replaceFirst("^refusing to run ", "would refuse to run "));
                return Optional.empty();
            }
            return distrust;
        } catch (IOException e) {
            return Optional.of("cannot inspect " + located.get() + " before running it: " + Failures.describe(e));
        }
    }

    /** The agent is stopping: the tree still gets its grace period, but a second interrupt cuts it short. */
    private void stopWhileStopping(Process process) {
        try {
            launcher.stop(process, killGrace);
        } catch (InterruptedException again) {
            // stop has sent SIGKILL to the whole tree before giving up waiting; the flag is restored by the caller
        }
    }

    /** Whether the output reached its end within {@link #DRAIN}; false while a background process holds the pipe. */
    private static boolean drain(CompletableFuture<Void> pumped) {
        try {
            pumped.get(DRAIN.toNanos(), NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // the pump catches what reading throws: nothing to report here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pumped.isDone();
        }
    }

    private static void feed(Process process, byte[] input) {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            // The program exited or closed its standard input without reading it all: it did not want the event.
        }
    }

    private ActionOutcome failed(long started, String message) {
        log.warn("{}: {}", config.name(), message);
        return ActionOutcome.of(Result.FAILED, Duration.ofNanos(time.nanoTime() - started), message);
    }

    private static byte[] withNewline(byte[] json) {
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }
}
