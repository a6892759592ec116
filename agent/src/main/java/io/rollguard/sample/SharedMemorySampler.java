package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.MetricCatalogue;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import io.rollguard.sample.SharedMemorySegments.PosixSegment;
import io.rollguard.sample.SharedMemorySegments.SysvSegment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared memory segments, System V ({@code ipcs -m}, from {@code /proc/sysvipc/shm}, which OSHI does not read) and
 * POSIX (files under {@code /dev/shm}, as {@code shm_open} creates them), read by {@link SharedMemorySegments}. A
 * segment outlives the processes that use it, so a crashed or rolled-back version can leave one behind holding
 * memory that no process accounts for.
 *
 * <p>Every series of a per-segment family carries the same labels, {@code kind}, {@code key}, {@code name} and
 * {@code owner}, empty where a kind has no such thing: Prometheus expects one label schema per family, and rules pair
 * series by identical label sets. No {@code shmid}: a segment made again gets a new one, and each would start a new
 * series; private System V segments (key {@code 0x00000000}) of one owner, which only their shmid tells apart, are
 * summed in one series (the {@code shm} check and {@code ipcs -m} name them one by one).
 */
final class SharedMemorySampler implements Sampler {
    static final MetricFamily SEGMENT_BYTES = MetricFamily.gauge("rollguard_shm_segment_bytes",
            "Size of one shared memory segment: System V (kind=sysv) or a file under /dev/shm (kind=posix).");
    static final MetricFamily SEGMENT_ATTACHED = MetricFamily.gauge("rollguard_shm_segment_attached",
            "Processes attached to one System V shared memory segment (nattch); 0 for long may mean a leak.");
    static final MetricFamily SEGMENTS = MetricFamily.gauge("rollguard_shm_segments",
            "Shared memory segments of each kind.");
    static final MetricFamily BYTES = MetricFamily.gauge("rollguard_shm_bytes",
            "Total size of the shared memory segments of each kind.");

    private static final Duration PERIOD = Duration.ofSeconds(10);

    private final SharedMemorySegments segments;
    private final OwnerNames users;

    /**
     * @param procRoot {@code /proc}, or a fixture tree
     * @param devShmRoot where POSIX segments live, {@code /dev/shm} on Linux
     * @param etcRoot where {@code passwd} names the owners, {@code /etc}
     */
    public SharedMemorySampler(Path procRoot, Path devShmRoot, Path etcRoot) {
        this(procRoot, devShmRoot, new UserNames(requireNonNull(etcRoot, "etcRoot").resolve("passwd")));
    }

    private SharedMemorySampler(Path procRoot, Path devShmRoot, OwnerNames users) {
        this.segments = new SharedMemorySegments(procRoot, devShmRoot);
        this.users = requireNonNull(users, "users");
    }

    /**
     * The sampler of this host: {@code /proc}, {@code /dev/shm}, and owners named by the system's resolver
     * ({@code getpwuid_r}), {@code /etc/passwd} where that cannot be loaded.
     */
    public static SharedMemorySampler forHost() {
        return new SharedMemorySampler(Path.of("/proc"), Path.of("/dev/shm"),
                NssUserNames.of(new UserNames(Path.of("/etc/passwd")), System::nanoTime));
    }

    @Override
    public String name() {
        return MetricCatalogue.SHM;
    }

    /** Every 10 s: segments come and go with deployments, not within seconds, and a leak matters over minutes. */
    @Override
    public Duration defaultPeriod(Duration tick) {
        return tick.compareTo(PERIOD) > 0 ? tick : PERIOD;
    }

    @Override
    public void sample(SeriesWriter out) throws IOException {
        users.refresh();
        List<SysvSegment> sysv = segments.sysv();
        long sysvBytes = 0;
        Map<LabelSet, long[]> perKey = new LinkedHashMap<>();
        for (SysvSegment segment : sysv) {
            LabelSet labels = segmentLabels("sysv", segment.formattedKey(), "", users.name(segment.uid()));
            long[] sums = perKey.computeIfAbsent(labels, l -> new long[2]);
            sums[0] += segment.sizeBytes();
            sums[1] += segment.attached();
            sysvBytes += segment.sizeBytes();
        }
        perKey.forEach((labels, sums) -> {
            out.put(SEGMENT_BYTES, labels, sums[0]);
            out.put(SEGMENT_ATTACHED, labels, sums[1]);
        });
        writeTotals(out, "sysv", sysv.size(), sysvBytes);

        List<PosixSegment> posix = segments.posix();
        long posixBytes = 0;
        for (PosixSegment segment : posix) {
            out.put(SEGMENT_BYTES, segmentLabels("posix", "", segment.name(), users.name(segment.uid())),
                    segment.sizeBytes());
            posixBytes += segment.sizeBytes();
        }
        writeTotals(out, "posix", posix.size(), posixBytes);
    }

    private static LabelSet segmentLabels(String kind, String key, String name, String owner) {
        return LabelSet.of("kind", kind, "key", key, "name", name, "owner", owner);
    }

    /** Zero counts are written too: "no segments" is a value a rule can compare, absence is not. */
    private static void writeTotals(SeriesWriter out, String kind, int segments, long bytes) {
        LabelSet labels = LabelSet.of("kind", kind);
        out.put(SEGMENTS, labels, segments);
        out.put(BYTES, labels, bytes);
    }
}
