package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.MetricCatalogue;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.sample.ProcessFiles.Stat;
import io.rollguard.sample.WatchedProcess.Found;
import io.rollguard.sample.WatchedProcess.Identity;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code [[process]]} entries (is the backend running, how much memory and CPU does it use, did it restart) and
 * the host's process count, uptime and boot time. It reads {@code /proc} itself rather than through OSHI, whose
 * process listing reads several files per process of the whole host, far beyond the budget of one sample.
 *
 * <p>A process that exits while it is being read is skipped: that is the normal life of a host, not an error. An
 * entry whose processes cannot be looked up (an unreadable pidfile) has its series left out, unknown rather than
 * down, and the log says so when that starts and when it ends.
 */
public final class ProcessSampler implements Sampler {
    private static final Logger log = LoggerFactory.getLogger(ProcessSampler.class);

    static final MetricFamily PROCESSES = MetricFamily.gauge("rollguard_processes", "Processes on the host.");
    static final MetricFamily UPTIME = MetricFamily.gauge("rollguard_host_uptime_seconds",
            "Time since the host booted.");
    static final MetricFamily BOOT_TIME = MetricFamily.gauge("rollguard_host_boot_time_seconds",
            "When the host booted, in seconds since the Unix epoch.");

    /** How many samples a command line's verdict is trusted without a sign of change; see {@link #scan}. */
    static final int REFRESH_SAMPLES = 12;

    private final Path procRoot;
    private final Path cgroupRoot;
    private final LongSupplier nanoTime;
    private final List<Pattern> commandLinePatterns = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final SmallFileReader reader = new SmallFileReader();

    /** What the last scan learnt of each process's command line, by pid; only when a {@code match} is configured. */
    private Map<Integer, CommandLineMatches> commandLines = new HashMap<>();
    private long samples;

    /**
     * @param procRoot {@code /proc}, or a fixture tree in tests
     * @param cgroupRoot {@code /sys/fs/cgroup}, where {@code unit} selectors find a unit's processes
     * @param nanoTime the monotonic clock the CPU usage is measured against
     */
    public ProcessSampler(Path procRoot, Path cgroupRoot, List<ProcessSettings> processes, LongSupplier nanoTime) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.cgroupRoot = requireNonNull(cgroupRoot, "cgroupRoot");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        for (ProcessSettings settings : processes) {
            entries.add(new Entry(new WatchedProcess(settings.name()), settings.selector().accept(new FinderFactory())));
        }
    }

    @Override
    public String name() {
        return MetricCatalogue.PROCESSES;
    }

    @Override
    public void sample(SeriesWriter out) throws IOException {
        long now = nanoTime.getAsLong();
        List<Integer> pids = listPids();
        out.put(PROCESSES, pids.size());
        out.put(UPTIME, ProcessFiles.parseUptime(reader.read(procRoot.resolve("uptime"))));
        OptionalLong bootTime = ProcessFiles.parseBootTime(reader.read(procRoot.resolve("stat")));
        if (bootTime.isPresent()) {
            out.put(BOOT_TIME, bootTime.getAsLong());
        }
        Map<Integer, Stat> scanned = commandLinePatterns.isEmpty() ? Map.of() : scan(pids);
        for (Entry entry : entries) {
            List<Found> found;
            try {
                found = find(entry.finder().pids(), scanned);
            } catch (IOException e) {
                entry.failed(e);
                continue;
            }
            entry.succeeded();
            entry.process().write(found, now, bootTime, out);
        }
    }

    private List<Integer> listPids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> directory = Files.newDirectoryStream(procRoot)) {
            for (Path path : directory) {
                ProcessFiles.parsePid(path.getFileName().toString()).ifPresent(pids::add);
            }
        }
        return pids;
    }

    /*
     * Matching command lines is the costly part: a command line is read from the process's memory, and can be long.
     * So the scan reads the small stat of every process and keeps, per pid, which patterns its command line
     * matched, reading the command line again only when the pid is new or its stat says it is no longer the process
     * that was matched: a new start time (the pid was reused) or a new command name (the process called exec, as a
     * launcher script ending in "exec python3 -m src.main" does). Reading stat for every pid, rather than only for
     * the pids that matched before, is what catches a pid reused by a process that matches when the one before it
     * did not. What stat cannot show, a process that rewrites its arguments (setproctitle) or execs a program of the
     * same name, is caught by reading each command line again every REFRESH_SAMPLES samples anyway, spread by pid
     * so that every sample re-reads an even share. Measured at 570 processes on a 2-core VM: about 10 ms a sample,
     * most of it the kernel formatting stat; reading every command line every sample roughly doubled that.
     */
    private Map<Integer, Stat> scan(List<Integer> pids) throws IOException {
        Map<Integer, Stat> stats = new HashMap<>(pids.size() * 2);
        Map<Integer, CommandLineMatches> matches = new HashMap<>(pids.size() * 2);
        for (int pid : pids) {
            try {
                Optional<Stat> stat = readStat(pid);
                if (stat.isEmpty()) {
                    continue;
                }
                CommandLineMatches known = commandLines.get(pid);
                if (known == null || !known.isOf(stat.get()) || (samples + pid) % REFRESH_SAMPLES == 0) {
                    known = matchCommandLine(stat.get());
                    if (known == null) {
                        continue;
                    }
                }
                stats.put(pid, stat.get());
                matches.put(pid, known);
            } catch (AccessDeniedException e) {
                continue; // /proc mounted with hidepid: other users' processes cannot be matched, the agent's own can
            }
        }
        commandLines = matches;
        samples++;
        return stats;
    }

    /** Which patterns the process's command line matches; null when it exited before its command line was read. */
    private CommandLineMatches matchCommandLine(Stat stat) throws IOException {
        String raw = readProcessFile(stat.pid(), "cmdline");
        if (raw == null) {
            return null;
        }
        String commandLine = ProcessFiles.parseCommandLine(raw);
        if (commandLine.isEmpty()) {
            commandLine = "[" + stat.command() + "]";
        }
        BitSet matched = new BitSet(commandLinePatterns.size());
        for (int i = 0; i < commandLinePatterns.size(); i++) {
            if (commandLinePatterns.get(i).matcher(commandLine).find()) {
                matched.set(i);
            }
        }
        return new CommandLineMatches(stat.startTicks(), stat.command(), matched);
    }

    /** Reads each pid that is still running, zombies excluded; the stat of a scanned pid is the one the scan read. */
    private List<Found> find(List<Integer> pids, Map<Integer, Stat> scanned) throws IOException {
        List<Found> found = new ArrayList<>(pids.size());
        for (int pid : pids) {
            Stat stat = scanned.get(pid);
            if (stat == null) {
                stat = readStat(pid).orElse(null);
            }
            if (stat == null || stat.exited()) {
                continue;
            }
            String status = readProcessFile(pid, "status");
            OptionalInt openFiles = countOpenFiles(pid);
            if (status == null || openFiles.isEmpty()) {
                continue;
            }
            found.add(new Found(new Identity(pid, stat.startTicks()), stat.cpuTicks(), stat.threads(),
                    ProcessFiles.parseResidentBytes(status).orElse(0), openFiles.getAsInt()));
        }
        return found;
    }

    private Optional<Stat> readStat(int pid) throws IOException {
        String line = readProcessFile(pid, "stat");
        return line == null ? Optional.empty() : ProcessFiles.parseStat(line);
    }

    /** The text of {@code /proc/PID/name}, or null when the process has exited. */
    private String readProcessFile(int pid, String name) throws IOException {
        Path file = procRoot.resolve(Integer.toString(pid)).resolve(name);
        try {
            return reader.read(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // A process that exits between open and read fails the read with ESRCH, not ENOENT.
            if (Files.notExists(file.getParent())) {
                return null;
            }
            throw e;
        }
    }

    /** Entries of {@code /proc/PID/fd}: -1 when the process is another user's, empty when it has exited. */
    private OptionalInt countOpenFiles(int pid) throws IOException {
        int count = 0;
        try (DirectoryStream<Path> directory = Files.newDirectoryStream(
                procRoot.resolve(Integer.toString(pid)).resolve("fd"))) {
            for (Path ignored : directory) {
                count++;
            }
        } catch (AccessDeniedException e) {
            return OptionalInt.of(-1);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Files.exists(procRoot.resolve(Integer.toString(pid))) ? OptionalInt.of(-1) : OptionalInt.empty();
        }
        return OptionalInt.of(count);
    }

    private List<Integer> pidFromFile(Path pidFile) throws IOException {
        String content;
        try {
            content = reader.read(pidFile);
        } catch (NoSuchFileException e) {
            return List.of(); // no pidfile: the daemon is not running, or removed it when it stopped
        }
        OptionalInt pid = ProcessFiles.parsePidFile(content);
        return pid.isPresent() ? List.of(pid.getAsInt()) : List.of();
    }

    /**
     * The processes of a unit's cgroup and of the cgroups below it (a unit with {@code Delegate=yes} has some). No
     * cgroup means the unit is not running: systemd removes it when the unit's last process has exited.
     */
    private List<Integer> unitProcesses(String unit) throws IOException {
        List<Path> layouts = List.of(
                cgroupRoot.resolve("system.slice").resolve(unit), // cgroup v2, the unified hierarchy
                cgroupRoot.resolve("unified").resolve("system.slice").resolve(unit), // hybrid: v2 beside v1
                cgroupRoot.resolve("systemd").resolve("system.slice").resolve(unit), // v1: systemd's named hierarchy
                cgroupRoot.resolve(unit)); // a cgroup namespace rooted at the slice
        for (Path cgroup : layouts) {
            if (Files.isDirectory(cgroup)) {
                List<Integer> pids = new ArrayList<>();
                addCgroupProcesses(cgroup, pids);
                return pids;
            }
        }
        return List.of();
    }

    private void addCgroupProcesses(Path cgroup, List<Integer> pids) throws IOException {
        try {
            pids.addAll(ProcessFiles.parseCgroupProcesses(reader.read(cgroup.resolve("cgroup.procs"))));
            try (DirectoryStream<Path> children = Files.newDirectoryStream(cgroup, Files::isDirectory)) {
                for (Path child : children) {
                    addCgroupProcesses(child, pids);
                }
            }
        } catch (NoSuchFileException e) {
            return; // removed while being read: its processes have exited
        }
    }

    /** A process's command-line verdicts, valid while its pid names the same start time and command. */
    private static final class CommandLineMatches {
        private final long startTicks;
        private final String command;
        private final BitSet matched; // never changed after construction

        CommandLineMatches(long startTicks, String command, BitSet matched) {
            this.startTicks = startTicks;
            this.command = command;
            this.matched = matched;
        }

        boolean isOf(Stat stat) {
            return stat.startTicks() == startTicks && stat.command().equals(command);
        }

        boolean matches(int pattern) {
            return matched.get(pattern);
        }
    }

    /** Finds the pids of one entry now. */
    private interface Finder {
        List<Integer> pids() throws IOException;
    }

    private final class FinderFactory implements ProcessSelector.Visitor<Finder> {
        @Override
        public Finder commandLine(ProcessSelector.CommandLinePattern selector) {
            int pattern = commandLinePatterns.size();
            commandLinePatterns.add(selector.pattern());
            return () -> {
                List<Integer> pids = new ArrayList<>();
                commandLines.forEach((pid, matches) -> {
                    if (matches.matches(pattern)) {
                        pids.add(pid);
                    }
                });
                return pids;
            };
        }

        @Override
        public Finder pidFile(ProcessSelector.PidFile selector) {
            return () -> pidFromFile(selector.path());
        }

        @Override
        public Finder systemdUnit(ProcessSelector.SystemdUnit selector) {
            return () -> unitProcesses(selector.unit());
        }
    }

    /** An entry and whether its lookup is failing, so the log tells when that starts and ends, never per sample. */
    private static final class Entry {
        private final WatchedProcess process;
        private final Finder finder;
        private boolean failing;

        Entry(WatchedProcess process, Finder finder) {
            this.process = process;
            this.finder = finder;
        }

        WatchedProcess process() {
            return process;
        }

        Finder finder() {
            return finder;
        }

        void failed(IOException e) {
            if (!failing) {
                log.warn("process {}: cannot look up its processes: {} (its series are left out; logged again when"
                        + " it recovers)", process.name(), describe(e));
            }
            failing = true;
        }

        void succeeded() {
            if (failing) {
                log.info("process {}: its processes can be looked up again", process.name());
            }
            failing = false;
        }

        private static String describe(IOException e) {
            String type = e.getClass().getSimpleName();
            return e.getMessage() == null ? type : type + ": " + e.getMessage();
        }
    }
}
