package io.rollguard.process;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.rollguard.config.StrictModes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** What checks and actions share about running a program as argv: stopping its tree, explaining, distrusting. */
public final class Programs {
    /** After SIGKILL, how long to wait for the kernel to reap the tree, so that callers see it gone. */
    static final Duration REAP = Duration.ofSeconds(1);

    private Programs() {}

    /**
     * SIGTERM to the process and everything it started, then SIGKILL to whatever is still alive after {@code grace}.
     * The tree is taken before anything dies, while orphans are still descendants, and again before SIGKILL, for
     * what the survivors started meanwhile. Returns once the tree is gone or {@link #REAP} has passed.
     *
     * @throws InterruptedException when interrupted while waiting out the grace period: the tree gets SIGKILL first
     */
    public static void stopTree(Process process, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        tree.add(process.toHandle());
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        try {
            awaitExit(tree, grace);
        } catch (InterruptedException e) {
            kill(tree);
            throw e;
        }
        kill(tree);
        awaitExit(tree, REAP);
    }

    private static void kill(Set<ProcessHandle> tree) {
        for (ProcessHandle member : List.copyOf(tree)) {
            member.descendants().forEach(tree::add);
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Waits up to {@code limit} for every one of {@code tree} to exit; survivors are left to the caller. */
    static void awaitExit(Set<ProcessHandle> tree, Duration limit) throws InterruptedException {
        CompletableFuture<?>[] exits = tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(exits).get(limit.toNanos(), NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Survivors: the caller's next step (SIGKILL, or reporting what is left) deals with them.
        }
    }

    /** "No such file or directory" out of "Cannot run program "x": error=2, No such file or directory". */
    public static String whyNotStarted(IOException e) {
        String message = String.valueOf(e.getMessage());
        int comma = message.lastIndexOf(", ");
        return comma >= 0 ? message.substring(comma + 2) : message;
    }

    /**
     * Where {@code command} is, as the process launcher finds it: a name with a slash relative to the working
     * directory, a bare name on the agent's {@code PATH}. Empty when there is no such file (starting it says so).
     */
    public static Optional<Path> locate(String command, Path workingDirectory, String searchPath) {
        if (command.contains("/")) {
            Path path = workingDirectory.resolve(command);
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        }
        for (String directory : (searchPath == null ? "" : searchPath).split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory).resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Why the agent must not run {@code program}, as sshd's StrictModes refuses key files: someone other than root
     * or the agent's own user could change it or its directories. Symbolic links are followed: the file that runs
     * is judged. Empty when it may run.
     */
    public static Optional<String> distrust(Path program, String agentUser) throws IOException {
        return new StrictModes(agentUser).distrust(program, "run", "");
    }
}
