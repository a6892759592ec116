package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Pure parsers of the procfs and cgroupfs files the process sampler reads, kept apart from the reading so that tests
 * feed them text. Malformed input gives an empty result, never an exception: a process file is written by the
 * kernel, so a line that does not parse means a kernel this code does not know, and that process is skipped.
 */
final class ProcessFiles {
    /**
     * Clock ticks per second of the times in {@code /proc}: USER_HZ, which the kernel fixes at 100 for user space on
     * every architecture a server runs (x86, arm, power, s390), whatever the kernel's internal HZ.
     */
    static final long TICKS_PER_SECOND = 100;

    private ProcessFiles() {}

    /**
     * What the process sampler needs of {@code /proc/PID/stat}.
     *
     * @param command the kernel's name of the process ({@code comm}: the executable's name, up to 15 bytes); it
     *     changes when the process calls exec
     * @param state R running, S sleeping, D in uninterruptible wait, Z zombie (exited, not yet reaped), ...
     * @param cpuTicks user plus system time, in clock ticks
     * @param startTicks when the process started, in clock ticks after boot; with the pid it names one process
     *     for the life of the host
     */
    record Stat(int pid, String command, char state, long cpuTicks, int threads, long startTicks) {
        Stat {
            requireNonNull(command, "command");
        }

        /** Whether it has exited: a zombie waits for its parent to collect its status, and is not running. */
        boolean exited() {
            return state == 'Z' || state == 'X';
        }
    }

    /**
     * Parses a {@code stat} line. The command sits between the first '(' and the last ')', and may itself hold
     * spaces and parentheses ({@code "1234 (my (weird) app) S ..."}), so the fields are counted from the last ')'.
     */
    static Optional<Stat> parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open <= 0 || close < open) {
            return Optional.empty();
        }
        // Fields are counted from the one after the command, field 3 (state), without splitting the line: this runs
        // for every process of the host on every sample, and a split would leave fifty strings of garbage each time.
        long[] fields = new long[23];
        int field = 3;
        int at = close + 1;
        char state = 0;
        while (field <= 22) {
            if (at >= line.length() || line.charAt(at) != ' ') {
                return Optional.empty();
            }
            int end = at + 1;
            while (end < line.length() && line.charAt(end) != ' ' && line.charAt(end) != '\n') {
                end++;
            }
            if (field == 3) {
                if (end != at + 2) {
                    return Optional.empty();
                }
                state = line.charAt(at + 1);
            } else if (field == 14 || field == 15 || field == 20 || field == 22) {
                long value = parseDecimal(line, at + 1, end);
                if (value < 0) {
                    return Optional.empty();
                }
                fields[field] = value;
            }
            at = end;
            field++;
        }
        long pid = parseDecimal(line, 0, open - 1);
        if (pid <= 0 || pid > Integer.MAX_VALUE || line.charAt(open - 1) != ' ' || fields[20] > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Stat((int) pid, line.substring(open + 1, close), state, fields[14] + fields[15],
                (int) fields[20], fields[22]));
    }

    /** The non-negative decimal in {@code text[from, to)}, or -1 if it is not one (or too large for a long). */
    private static long parseDecimal(String text, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The resident set size from {@code /proc/PID/status} ({@code VmRSS}, in kB there), in bytes. It is in kB
     * whatever the page size, which the {@code rss} field of {@code stat} is not. Absent for kernel threads and
     * zombies, which have no memory of their own.
     */
    static OptionalLong parseResidentBytes(String status) {
        int line = status.indexOf("\nVmRSS:") + 1; // 0 when absent, or when it is the first line
        if (line == 0 && !status.startsWith("VmRSS:")) {
            return OptionalLong.empty();
        }
        int end = status.indexOf('\n', line);
        String[] words = status.substring(line + "VmRSS:".length(), end < 0 ? status.length() : end).trim()
                .split("\\s+");
        if (words.length != 2 || !words[1].equals("kB")) {
            return OptionalLong.empty();
        }
        long kibibytes = parseDecimal(words[0], 0, words[0].length());
        return kibibytes < 0 ? OptionalLong.empty() : OptionalLong.of(kibibytes * 1024);
    }

    /**
     * The command line as {@code ps aux} shows it: the arguments of {@code /proc/PID/cmdline}, which ends each with
     * a NUL, joined by spaces. A process that rewrote its arguments (setproctitle) may leave one string without NULs,
     * which is taken as it is. Empty for kernel threads and zombies: {@code ps} shows {@code [command]} for those.
     */
    static String parseCommandLine(String cmdline) {
        int end = cmdline.length();
        while (end > 0 && cmdline.charAt(end - 1) == '\0') {
            end--;
        }
        return cmdline.substring(0, end).replace('\0', ' ');
    }

    /** The pid a pidfile holds: a positive decimal on the first line, blanks around it allowed. */
    static OptionalInt parsePidFile(String content) {
        String first = content.lines().findFirst().orElse("").trim();
        if (first.isEmpty() || first.length() > 10 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalInt.empty();
        }
        long pid = Long.parseLong(first);
        return pid > 0 && pid <= Integer.MAX_VALUE ? OptionalInt.of((int) pid) : OptionalInt.empty();
    }

    /** The pids of a {@code cgroup.procs} file, one decimal per line; lines that are not one are skipped. */
    static List<Integer> parseCgroupProcesses(String content) {
        List<Integer> pids = new ArrayList<>();
        for (String line : content.split("\n")) {
            parsePid(line.trim()).ifPresent(pids::add);
        }
        return pids;
    }

    /** The host's uptime in seconds, the first number of {@code /proc/uptime}; NaN if it is not one. */
    static double parseUptime(String content) {
        String[] words = content.trim().split("\\s+");
        try {
            return Double.parseDouble(words[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The boot time in seconds since the epoch: the {@code btime} line of {@code /proc/stat}. */
    static OptionalLong parseBootTime(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("btime ")) {
                try {
                    return OptionalLong.of(Long.parseLong(line.substring("btime ".length()).trim()));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** A directory name of {@code /proc} that is a pid: digits only, no sign, no leading zero. */
    static OptionalInt parsePid(String name) {
        int length = name.length();
        if (length == 0 || length > 10 || name.charAt(0) == '0') {
            return OptionalInt.empty();
        }
        long pid = 0;
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalInt.empty();
            }
            pid = pid * 10 + (c - '0');
        }
        return pid <= Integer.MAX_VALUE ? OptionalInt.of((int) pid) : OptionalInt.empty();
    }
}
