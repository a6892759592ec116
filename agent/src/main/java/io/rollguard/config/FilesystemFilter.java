package io.rollguard.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which mounted filesystems the filesystem sampler reports: the {@code include_mounts}, {@code exclude_mounts},
 * {@code include_fstypes} and {@code exclude_fstypes} keys of {@code [sample.filesystem]}.
 *
 * <p>A filesystem is reported when its mount point fully matches one of {@code includeMounts} (or that list is
 * empty), matches none of {@code excludeMounts}, its type is one of {@code includeFstypes} (or that list is empty)
 * and is none of {@code excludeFstypes}. A key set in the file replaces its default, as node_exporter's flags do.
 *
 * <p>The defaults are node_exporter's: tmpfs stays visible, because a full {@code /run} or tmpfs {@code /tmp}
 * breaks services as surely as a full disk does; what lives under {@code /dev}, {@code /proc} and {@code /sys}
 * (such as {@code /dev/shm}) and the per-container mounts of Docker and Podman are left out, because they are
 * either the kernel's or churn with every container and would make unbounded series.
 */
public record FilesystemFilter(List<Pattern> includeMounts, List<Pattern> excludeMounts, List<String> includeFstypes,
        List<String> excludeFstypes) {
    /** node_exporter's {@code defMountPointsExcluded}, split into one full-match expression per concern. */
    public static final List<Pattern> DEFAULT_EXCLUDE_MOUNTS = List.of(
            Pattern.compile("/(dev|proc|sys)(/.*)?"),
            Pattern.compile("/run/credentials/.+"),
            Pattern.compile("/var/lib/docker/.+"),
            Pattern.compile("/var/lib/containers/storage/.+"));

    /** node_exporter's {@code defFSTypesExcluded}: kernel interfaces and read-only images, never filling up. */
    public static final List<String> DEFAULT_EXCLUDE_FSTYPES = List.of("autofs", "binfmt_misc", "bpf", "cgroup",
            "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "erofs", "fusectl", "hugetlbfs", "iso9660",
            "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore", "rpc_pipefs", "securityfs", "selinuxfs",
            "squashfs", "sysfs", "tracefs");

    public static final FilesystemFilter DEFAULT =
            new FilesystemFilter(List.of(), DEFAULT_EXCLUDE_MOUNTS, List.of(), DEFAULT_EXCLUDE_FSTYPES);

    public FilesystemFilter {
        includeMounts = List.copyOf(includeMounts);
        excludeMounts = List.copyOf(excludeMounts);
        includeFstypes = List.copyOf(includeFstypes);
        excludeFstypes = List.copyOf(excludeFstypes);
    }

    /** Whether the filesystem mounted at {@code mountPoint} with type {@code fstype} is reported. */
    public boolean accepts(String mountPoint, String fstype) {
        if (!includeMounts.isEmpty() && !anyMatches(includeMounts, mountPoint)) {
            return false;
        }
        if (anyMatches(excludeMounts, mountPoint)) {
            return false;
        }
        if (!includeFstypes.isEmpty() && !includeFstypes.contains(fstype)) {
            return false;
        }
        return !excludeFstypes.contains(fstype);
    }

    private static boolean anyMatches(List<Pattern> patterns, String text) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(text).matches()) {
                return true;
            }
        }
        return false;
    }
}
