package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One {@code [[process]]} entry across samples: turns the processes its selector found into series, and keeps what
 * the next sample needs, the CPU time of each process and the identity behind the restart counter. It does no I/O,
 * so tests drive it with made-up processes and a clock they step by hand.
 */
final class WatchedProcess {
    static final MetricFamily UP = MetricFamily.gauge("rollguard_process_up",
            "1 if at least one process of the [[process]] entry is running, else 0.");
    static final MetricFamily COUNT = MetricFamily.gauge("rollguard_process_instances",
            "Running processes of the [[process]] entry.");
    static final MetricFamily RESIDENT_MEMORY = MetricFamily.gauge("rollguard_process_resident_memory_bytes",
            "Resident memory (VmRSS) summed over the entry's processes; shared pages count once per process.");
    static final MetricFamily CPU_USAGE = MetricFamily.gauge("rollguard_process_cpu_usage_ratio",
            "CPU time of the entry's processes since the previous sample, as a share of one core: 2 is two busy cores.");
    static final MetricFamily OPEN_FILES = MetricFamily.gauge("rollguard_process_open_fds",
            "Open file descriptors summed over the entry's processes; absent when the agent may not list them.");
    static final MetricFamily THREADS = MetricFamily.gauge("rollguard_process_threads",
            "Threads summed over the entry's processes.");
    static final MetricFamily START_TIME = MetricFamily.gauge("rollguard_process_start_time_seconds",
            "Start time of the entry's oldest process, in seconds since the Unix epoch.");
    static final MetricFamily RESTARTS = MetricFamily.counter("rollguard_process_restarts_total",
            "Times the entry's oldest process was replaced by another since the agent started.");

    /** A process by a name that no other process gets while the host runs: a reused pid has a new start time. */
    record Identity(int pid, long startTicks) {}

    /**
     * One process the selector found, as read now.
     *
     * @param openFiles entries of {@code /proc/PID/fd}, or -1 when another user's process does not let the agent
     *     list them
     */
    record Found(Identity identity, long cpuTicks, int threads, long residentBytes, int openFiles) {
        Found {
            requireNonNull(identity, "identity");
        }
    }

    // The oldest process is the one that started first, the pid breaking a tie (two forks in one clock tick).
    private static final Comparator<Found> OLDEST_FIRST = Comparator
            .comparingLong((Found found) -> found.identity().startTicks())
            .thenComparingInt(found -> found.identity().pid());

    private final String name;
    private final LabelSet labels;

    private Identity lastOldest;
    private long restarts;
    private Map<Identity, Long> previousCpuTicks;
    private long previousNanos;

    WatchedProcess(String name) {
        this.name = requireNonNull(name, "name");
        this.labels = LabelSet.of("process", name);
    }

    String name() {
        return name;
    }

    /**
     * Writes the entry's series from what its selector found at {@code nowNanos}, and remembers it.
     *
     * @param bootTimeSeconds the host's boot time, which turns start ticks into a date; absent leaves the start time
     *     out
     */
    void write(List<Found> found, long nowNanos, OptionalLong bootTimeSeconds, SeriesWriter out) {
        Found oldest = found.stream().min(OLDEST_FIRST).orElse(null);
        countRestart(oldest);
        long resident = 0;
        long threads = 0;
        long openFiles = 0;
        for (Found process : found) {
            resident += process.residentBytes();
            threads += process.threads();
            // One process whose descriptors cannot be listed makes the sum unknown, not smaller.
            openFiles = openFiles < 0 || process.openFiles() < 0 ? -1 : openFiles + process.openFiles();
        }
        out.put(UP, labels, found.isEmpty() ? 0 : 1);
        out.put(COUNT, labels, found.size());
        out.put(RESIDENT_MEMORY, labels, resident);
        out.put(THREADS, labels, threads);
        if (openFiles >= 0) {
            out.put(OPEN_FILES, labels, openFiles);
        }
        if (oldest != null && bootTimeSeconds.isPresent()) {
            out.put(START_TIME, labels, bootTimeSeconds.getAsLong()
                    + (double) oldest.identity().startTicks() / ProcessFiles.TICKS_PER_SECOND);
        }
        out.put(CPU_USAGE, labels, cpuUsage(found, nowNanos));
        out.put(RESTARTS, labels, restarts);
    }

    /*
     * The restart rule. The process an entry stands for is its oldest match (a master outlives its workers), named
     * by its identity (pid, start time), so a reused pid is another process. Let L be the oldest match at the last
     * sample where the entry was up; there is none before it was first seen up. At a sample where the entry is up
     * with oldest match O: if there is an L and O differs from L, the process restarted and the counter grows by
     * one; then L becomes O. A sample where the entry is down changes nothing. Hence:
     *  - replaced between two samples (a quick restart, even one never seen down): +1;
     *  - up, then down for any number of samples, then up as another process: +1, when it comes back;
     *  - down when the agent starts, then started: 0, a start is not a restart;
     *  - up, down, up again as the same process (a pidfile that was briefly unreadable): 0, it never stopped;
     *  - the oldest of several matches exits while younger ones go on: +1, the one it stood for is gone.
     */
    private void countRestart(Found oldest) {
        if (oldest == null) {
            return;
        }
        if (lastOldest != null && !lastOldest.equals(oldest.identity())) {
            restarts++;
        }
        lastOldest = oldest.identity();
    }

    /*
     * CPU time is user plus system ticks of the processes found both now and at the previous sample, compared by
     * identity, over the monotonic time between the two samples. A process found for the first time adds nothing
     * until its second sample (which part of its time fell in this interval is unknown); one that is gone adds
     * nothing (its last ticks went with it). With nothing to compare, the first sample or only new processes, the
     * ratio is NaN (absent); with nothing found it is 0.
     */
    private double cpuUsage(List<Found> found, long nowNanos) {
        Map<Identity, Long> previous = previousCpuTicks;
        long elapsedNanos = nowNanos - previousNanos;
        Map<Identity, Long> current = new HashMap<>();
        for (Found process : found) {
            current.put(process.identity(), process.cpuTicks());
        }
        previousCpuTicks = current;
        previousNanos = nowNanos;
        if (previous == null || elapsedNanos <= 0) {
            return Double.NaN;
        }
        if (found.isEmpty()) {
            return 0;
        }
        long ticks = 0;
        boolean compared = false;
        for (Found process : found) {
            Long before = previous.get(process.identity());
            if (before != null) {
                compared = true;
                ticks += Math.max(0, process.cpuTicks() - before);
            }
        }
        if (!compared) {
            return Double.NaN;
        }
        return ticks / (double) ProcessFiles.TICKS_PER_SECOND / (elapsedNanos / 1e9);
    }
}
