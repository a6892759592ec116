package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shared memory segments, System V ({@code ipcs -m}, from {@code /proc/sysvipc/shm}, which OSHI does not read) and
 * POSIX (files under {@code /dev/shm}, as {@code shm_open} creates them). A segment outlives the processes that use
 * it, so a crashed or rolled-back version can leave one behind holding memory that no process accounts for.
 *
 * <p>Every series of a per-segment family carries the same labels, {@code kind}, {@code key}, {@code shmid},
 * {@code name} and {@code owner}, empty where a kind has no such thing: Prometheus expects one label schema per
 * family, and rules pair series by identical label sets.
 */
public final class SharedMemorySampler implements Sampler {
    static final MetricFamily SEGMENT_BYTES = MetricFamily.gauge("rollguard_shm_segment_bytes",
            "Size of one shared memory segment: System V (kind=sysv) or a file under /dev/shm (kind=posix).");
    static final MetricFamily SEGMENT_ATTACHED = MetricFamily.gauge("rollguard_shm_segment_attached",
            "Processes attached to one System V shared memory segment (nattch); 0 for long may mean a leak.");
    static final MetricFamily SEGMENTS = MetricFamily.gauge("rollguard_shm_segments",
            "Shared memory segments of each kind.");
    static final MetricFamily BYTES = MetricFamily.gauge("rollguard_shm_bytes",
            "Total size of the shared memory segments of each kind.");

    /** One line of {@code /proc/sysvipc/shm}; {@code key} is the kernel's signed {@code key_t}. */
    record SysvSegment(int key, int shmid, long sizeBytes, long attached, long uid) {}

    /** One file under {@code /dev/shm}: its name is what processes pass to {@code shm_open}, less the slash. */
    record PosixSegment(String name, long sizeBytes, long uid) {
        PosixSegment {
            requireNonNull(name, "name");
        }
    }

    private static final Duration PERIOD = Duration.ofSeconds(10);
    private static final String SYSV_FILE = "sysvipc/shm";
    /** The columns up to uid, where the parser reads; checked so that a reordered layout fails loudly. */
    private static final List<String> SYSV_HEADER =
            List.of("key", "shmid", "perms", "size", "cpid", "lpid", "nattch", "uid");
    /** Key through ctime; kernels since 4.x append rss and swap, which are not read. */
    private static final int SYSV_MIN_FIELDS = 14;
    /** glibc's sem_open keeps named semaphores beside the segments; ipcs leaves them out of -m too. */
    private static final String SEMAPHORE_PREFIX = "sem.";

    private final Path procRoot;
    private final Path devShmRoot;
    private final UserNames users;

    /**
     * @param procRoot {@code /proc}, or a fixture tree
     * @param devShmRoot where POSIX segments live, {@code /dev/shm} on Linux
     * @param etcRoot where {@code passwd} names the owners, {@code /etc}
     */
    public SharedMemorySampler(Path procRoot, Path devShmRoot, Path etcRoot) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.devShmRoot = requireNonNull(devShmRoot, "devShmRoot");
        this.users = new UserNames(requireNonNull(etcRoot, "etcRoot").resolve("passwd"));
    }

    /** The sampler of this host: {@code /proc}, {@code /dev/shm}, {@code /etc}. */
    public static SharedMemorySampler forHost() {
        return new SharedMemorySampler(Path.of("/proc"), Path.of("/dev/shm"), Path.of("/etc"));
    }

    @Override
    public String name() {
        return "shm";
    }

    /** Every 10 s: segments come and go with deployments, not within seconds, and a leak matters over minutes. */
    @Override
    public Duration defaultPeriod(Duration tick) {
        return tick.compareTo(PERIOD) > 0 ? tick : PERIOD;
    }

    @Override
    public void sample(SeriesWriter out) throws IOException {
        users.refresh();
        List<SysvSegment> sysv = readSysv();
        long sysvBytes = 0;
        for (SysvSegment segment : sysv) {
            LabelSet labels = segmentLabels("sysv", formatKey(segment.key()), Integer.toString(segment.shmid()), "",
                    users.name(segment.uid()));
            out.put(SEGMENT_BYTES, labels, segment.sizeBytes());
            out.put(SEGMENT_ATTACHED, labels, segment.attached());
            sysvBytes += segment.sizeBytes();
        }
        writeTotals(out, "sysv", sysv.size(), sysvBytes);

        List<PosixSegment> posix = readPosix();
        long posixBytes = 0;
        for (PosixSegment segment : posix) {
            out.put(SEGMENT_BYTES, segmentLabels("posix", "", "", segment.name(), users.name(segment.uid())),
                    segment.sizeBytes());
            posixBytes += segment.sizeBytes();
        }
        writeTotals(out, "posix", posix.size(), posixBytes);
    }

    private static LabelSet segmentLabels(String kind, String key, String shmid, String name, String owner) {
        return LabelSet.of("kind", kind, "key", key, "shmid", shmid, "name", name, "owner", owner);
    }

    /** Zero counts are written too: "no segments" is a value a rule can compare, absence is not. */
    private static void writeTotals(SeriesWriter out, String kind, int segments, long bytes) {
        LabelSet labels = LabelSet.of("kind", kind);
        out.put(SEGMENTS, labels, segments);
        out.put(BYTES, labels, bytes);
    }

    private List<SysvSegment> readSysv() throws IOException {
        Path file = procRoot.resolve(SYSV_FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of(); // a kernel built without System V IPC has no such file and no such segments
        }
        return parse(file.toString(), lines);
    }

    private List<PosixSegment> readPosix() throws IOException {
        DirectoryStream<Path> entries;
        try {
            entries = Files.newDirectoryStream(devShmRoot);
        } catch (NoSuchFileException e) {
            return List.of(); // some containers mount no /dev/shm: then nobody can have a POSIX segment
        }
        List<PosixSegment> segments = new ArrayList<>();
        try (entries) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(SEMAPHORE_PREFIX)) {
                    continue;
                }
                Map<String, Object> attributes;
                try {
                    attributes = Files.readAttributes(entry, "unix:isRegularFile,size,uid", LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // unlinked between the listing and the stat: it is gone, as it would be next time
                }
                // shm_open names have no slash, so a directory or a link here is something else's business.
                if (!(Boolean) attributes.get("isRegularFile")) {
                    continue;
                }
                long uid = Integer.toUnsignedLong((Integer) attributes.get("uid"));
                segments.add(new PosixSegment(name, (Long) attributes.get("size"), uid));
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return segments;
    }

    /**
     * Parses {@code /proc/sysvipc/shm}: a header, then one segment per line. A line that does not parse fails the
     * whole file rather than being skipped: a silently missing segment is worse than a sampler reported as failing.
     *
     * @param file the file's name for error messages
     * @throws IOException naming the file and line when the content is not what the kernel writes
     */
    static List<SysvSegment> parse(String file, List<String> lines) throws IOException {
        if (lines.isEmpty()) {
            return List.of();
        }
        List<String> header = List.of(lines.get(0).strip().split("\\s+"));
        if (header.size() < SYSV_HEADER.size() || !header.subList(0, SYSV_HEADER.size()).equals(SYSV_HEADER)) {
            throw ProcText.malformed(file, 1, "expected a header starting " + String.join(" ", SYSV_HEADER),
                    lines.get(0));
        }
        List<SysvSegment> segments = new ArrayList<>(lines.size() - 1);
        for (int index = 1; index < lines.size(); index++) {
            String line = lines.get(index);
            if (line.isBlank()) {
                continue;
            }
            int lineNumber = index + 1;
            String[] fields = line.strip().split("\\s+");
            if (fields.length < SYSV_MIN_FIELDS) {
                throw ProcText.malformed(file, lineNumber,
                        "expected at least " + SYSV_MIN_FIELDS + " fields, found " + fields.length, line);
            }
            Column column = new Column(file, lineNumber, line);
            segments.add(new SysvSegment(
                    (int) column.number("key", fields[0], Integer.MIN_VALUE, Integer.MAX_VALUE),
                    (int) column.number("shmid", fields[1], 0, Integer.MAX_VALUE),
                    column.number("size", fields[3], 0, Long.MAX_VALUE),
                    column.number("nattch", fields[6], 0, Long.MAX_VALUE),
                    column.number("uid", fields[7], 0, 0xFFFF_FFFFL)));
        }
        return segments;
    }

    /** A decimal column of one line, checked against its range. */
    private record Column(String file, int lineNumber, String line) {
        long number(String name, String text, long min, long max) throws IOException {
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw ProcText.malformed(file, lineNumber, name + " is not a decimal number", line);
            }
            if (value < min || value > max) {
                throw ProcText.malformed(file, lineNumber, name + " " + value + " is out of range", line);
            }
            return value;
        }
    }

    /** As {@code ipcs -m} prints a key: {@code 0x} and eight lower-case hex digits of its 32 bits. */
    static String formatKey(int key) {
        String hex = Integer.toHexString(key); // a negative key_t prints as its two's complement, as ipcs does
        return "0x" + "0".repeat(8 - hex.length()) + hex;
    }
}
