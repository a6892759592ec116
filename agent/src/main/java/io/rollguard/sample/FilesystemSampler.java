package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.FilesystemFilter;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

/**
 * Size, free space and inodes of every local filesystem the {@link FilesystemFilter} accepts, one series per mount
 * point. OSHI already leaves out pseudo filesystems (proc, sysfs, overlay, ...) and network ones: a statfs on a hung
 * NFS server would block the tick. The used ratio is what {@code df} prints as Use%: used over what an unprivileged
 * user could have, so it reaches 100% when ordinary writes start failing, not when the root-reserved blocks are gone
 * too.
 */
public final class FilesystemSampler implements Sampler {
    static final MetricFamily SIZE = MetricFamily.gauge("rollguard_filesystem_size_bytes", "Size of the filesystem.");
    static final MetricFamily FREE = MetricFamily.gauge("rollguard_filesystem_free_bytes",
            "Free space of the filesystem, including blocks reserved for root.");
    static final MetricFamily AVAILABLE = MetricFamily.gauge("rollguard_filesystem_available_bytes",
            "Free space available to unprivileged users.");
    static final MetricFamily USED = MetricFamily.gauge("rollguard_filesystem_used_ratio",
            "Share of the filesystem in use, as df's Use%: used / (used + available).");
    static final MetricFamily INODES = MetricFamily.gauge("rollguard_filesystem_inodes",
            "Inodes of the filesystem: how many files it can hold; absent where the filesystem has no fixed count.");
    static final MetricFamily INODES_FREE = MetricFamily.gauge("rollguard_filesystem_inodes_free",
            "Inodes still free: files that can still be created, whatever the free space.");

    /**
     * What the sampler needs of one mounted filesystem.
     *
     * @param inodes 0 where the filesystem reports none (btrfs and vfat allocate them on demand)
     */
    record Mount(String mountPoint, String fsType, String device, long size, long free, long available, long inodes,
            long freeInodes) {}

    private static final Duration PERIOD = Duration.ofSeconds(10);

    private final Supplier<List<Mount>> mounts;
    private final FilesystemFilter filter;

    public FilesystemSampler(FileSystem fileSystem, FilesystemFilter filter) {
        this(() -> fileSystem.getFileStores(true).stream().map(FilesystemSampler::mount).toList(), filter);
    }

    FilesystemSampler(Supplier<List<Mount>> mounts, FilesystemFilter filter) {
        this.mounts = requireNonNull(mounts, "mounts");
        this.filter = requireNonNull(filter, "filter");
    }

    @Override
    public String name() {
        return "filesystem";
    }

    /**
     * Every 10 s: space changes slowly, a hung mount should be met rarely, and OSHI's listing is the costliest host
     * reading (a median of 5 ms here, most of it the {@code lsblk} it runs for labels this sampler does not use).
     */
    @Override
    public Duration defaultPeriod(Duration tick) {
        return tick.compareTo(PERIOD) > 0 ? tick : PERIOD;
    }

    @Override
    public void sample(SeriesWriter out) {
        for (Mount mount : mounts.get()) {
            if (filter.accepts(mount.mountPoint(), mount.fsType())) {
                write(mount, out);
            }
        }
    }

    static void write(Mount mount, SeriesWriter out) {
        if (mount.size() <= 0) {
            return;
        }
        LabelSet labels = LabelSet.of("mount", mount.mountPoint(), "fstype", mount.fsType(), "device", mount.device());
        long used = mount.size() - mount.free();
        out.put(SIZE, labels, mount.size());
        out.put(FREE, labels, mount.free());
        out.put(AVAILABLE, labels, mount.available());
        if (used + mount.available() > 0) {
            out.put(USED, labels, (double) used / (used + mount.available()));
        }
        if (mount.inodes() > 0) {
            out.put(INODES, labels, mount.inodes());
            out.put(INODES_FREE, labels, mount.freeInodes());
        }
    }

    private static Mount mount(OSFileStore store) {
        return new Mount(store.getMount(), store.getType(), store.getVolume(), store.getTotalSpace(),
                store.getFreeSpace(), store.getUsableSpace(), store.getTotalInodes(), store.getFreeInodes());
    }
}
