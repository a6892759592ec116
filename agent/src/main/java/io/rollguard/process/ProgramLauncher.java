package io.rollguard.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Starts every program the agent runs (actions, command and systemd checks) in a session and process group of its
 * own, through util-linux's {@code setsid}, so that nothing the program signals to its group ({@code kill 0},
 * {@code trap 'kill 0' EXIT}, {@code kill -- -$$}) reaches the agent; and stops it by that group, so that what it
 * left behind dies with it even once it is no longer a descendant (a double fork, {@code (sleep 1000 &)}).
 *
 * <p>Java starts a child that is not a group leader, so {@code setsid} calls setsid(2) and execs the program in
 * place: the program's pid is its session's and its group's id. Where {@code setsid} is missing, programs start as
 * before, in the agent's group, and are stopped by their process tree ({@link Programs#stopTree}).
 */
public final class ProgramLauncher {
    /** Passes of SIGKILL over the group: each catches what forked between the previous scan and its signal. */
    private static final int KILL_PASSES = 5;

    private final Path setsid; // null: no setsid on this host, programs run in the agent's group
    private final Path procRoot;

    /**
     * @param setsid util-linux's setsid, or null to start programs in the agent's own process group
     * @param procRoot "/proc", where the members of a group are found
     */
    public ProgramLauncher(Path setsid, Path procRoot) {
        this.setsid = setsid;
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
    }

    /** The launcher of this host: {@code setsid} from the agent's {@code PATH}, else /usr/bin or /bin. */
    public static ProgramLauncher forHost() {
        String path = System.getenv("PATH");
        return new ProgramLauncher(find((path == null ? "" : path) + ":/usr/bin:/bin").orElse(null), Path.of("/proc"));
    }

    /** {@code setsid} in one of the directories of {@code searchPath} (separated by ':'); empty entries are skipped. */
    public static Optional<Path> find(String searchPath) {
        for (String directory : searchPath.split(":")) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory).resolve("setsid");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** The {@code setsid} programs start through; empty when they share the agent's process group. */
    public Optional<Path> setsid() {
        return Optional.ofNullable(setsid);
    }

    /**
     * Starts {@code builder}'s command in a session of its own. A program that does not exist or may not be executed
     * fails here, as {@link ProcessBuilder#start()} would fail, rather than as an exit code of {@code setsid}.
     */
    public Process start(ProcessBuilder builder) throws IOException {
        List<String> command = builder.command();
        if (setsid == null) {
            return builder.start();
        }
        String program = command.get(0);
        Path directory = builder.directory() == null ? Path.of("") : builder.directory().toPath();
        Optional<Path> located = Programs.locate(program, directory, System.getenv("PATH"));
        if (located.isEmpty()) {
            throw new IOException("Cannot run program \"" + program + "\": error=2, No such file or directory");
        }
        if (!Files.isRegularFile(located.get()) || !Files.isExecutable(located.get())) {
            throw new IOException("Cannot run program \"" + program + "\": error=13, Permission denied");
        }
        List<String> argv = new ArrayList<>(command.size() + 3);
        // --wait: should setsid ever have to fork (it does when it is a group leader), it still ends with the program.
        argv.addAll(List.of(setsid.toString(), "--wait", "--"));
        argv.addAll(command);
        List<String> original = List.copyOf(command);
        try {
            return builder.command(argv).start();
        } finally {
            builder.command(original);
        }
    }

    /**
     * SIGTERM to the program's process group and to everything it started, then SIGKILL to whatever is still alive
     * after {@code grace}. Returns once they are gone or {@link Programs#REAP} has passed.
     *
     * @throws InterruptedException when interrupted while waiting out the grace period: the group gets SIGKILL first
     */
    public void stop(Process process, Duration grace) throws InterruptedException {
        if (setsid == null) {
            Programs.stopTree(process, grace);
            return;
        }
        long group = process.pid();
        Set<ProcessHandle> members = members(process, group, Set.of());
        members.forEach(ProcessHandle::destroy);
        try {
            Programs.awaitExit(members, grace);
        } catch (InterruptedException e) {
            kill(process, group, members);
            throw e;
        }
        kill(process, group, members);
    }

    private void kill(Process process, long group, Set<ProcessHandle> signalled) throws InterruptedException {
        Set<ProcessHandle> all = new LinkedHashSet<>(signalled);
        for (int pass = 0; pass < KILL_PASSES; pass++) {
            Set<ProcessHandle> alive = members(process, group, all);
            alive.removeIf(member -> !member.isAlive());
            if (alive.isEmpty()) {
                return;
            }
            alive.forEach(ProcessHandle::destroyForcibly);
            all.addAll(alive);
            Programs.awaitExit(alive, Programs.REAP.dividedBy(KILL_PASSES));
        }
    }

    /**
     * The program, its descendants, every process of its group, and the descendants of {@code known}. The group holds
     * what is no longer a descendant (reparented to init); the descendants, what moved to a group of its own.
     */
    private Set<ProcessHandle> members(Process process, long group, Set<ProcessHandle> known) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        members.add(process.toHandle());
        process.descendants().forEach(members::add);
        for (ProcessHandle handle : known) {
            members.add(handle);
            handle.descendants().forEach(members::add);
        }
        ProcessHandle.allProcesses().filter(handle -> groupOf(handle.pid()).orElse(-1) == group)
                .forEach(members::add);
        return members;
    }

    private OptionalLong groupOf(long pid) {
        try {
            return groupOf(Files.readString(procRoot.resolve(Long.toString(pid)).resolve("stat")));
        } catch (IOException e) {
            return OptionalLong.empty(); // gone meanwhile, or not ours to read
        }
    }

    /**
     * The process group in a {@code /proc/PID/stat} line: its fifth field, counted after the command name, which may
     * itself hold spaces and parentheses and so ends at the last ')'. Empty when the line is not one.
     */
    static OptionalLong groupOf(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(end + 1).strip().split(" ");
        // state, ppid, pgrp
        if (fields.length < 3) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fields[2]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
