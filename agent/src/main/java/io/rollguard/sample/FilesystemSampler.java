package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.platform.linux.LibC;
import io.rollguard.config.FilesystemFilter;
import io.rollguard.config.MetricCatalogue;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Size, free space and inodes of every local filesystem the {@link FilesystemFilter} accepts, one series per mount
 * point, as df shows them: the mounts of the agent's mount namespace from {@code /proc/self/mountinfo}, then one
 * statvfs(3) per mount that passed the filter, never one for a mount it rejects. The used ratio is what {@code df}
 * prints as Use%: used over what an unprivileged user could have, so it reaches 100% when ordinary writes start
 * failing, not when the root-reserved blocks are gone too.
 *
 * <p>Network filesystems are left out whatever the filter says, because statvfs waits for their server: see
 * {@link #NETWORK_FSTYPES}. Pseudo filesystems are left out as OSHI leaves them out ({@link #PSEUDO_FSTYPES}).
 */
final class FilesystemSampler implements Sampler {
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
     * Filesystems whose statvfs is answered by another machine: a hard NFS mount of a hung server blocks the caller
     * until the server is back, and a cluster filesystem that lost its quorum blocks until it regains it. One such
     * call would stall every sampler of the tick, so they are never asked, even when the filter names them; the
     * storage they live on is watched where it is served. The list: the NFS and SMB clients (smb3 is the cifs
     * module under its newer name), AFS, NetWare, 9p (a virtio or TCP share served by the hypervisor or another
     * host), the cluster filesystems CephFS, Lustre, GPFS, BeeGFS, OrangeFS, GFS2 and OCFS2 (the last two are on
     * shared disks but wait for the network's lock manager), and the FUSE clients of SSH, S3, GCS and cluster
     * storage, whose types carry their daemon's name. GlusterFS is mounted through FUSE; its bare name is kept
     * because OSHI's list, which this one replaces, had it.
     */
    static final Set<String> NETWORK_FSTYPES = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "ncpfs", "ncp",
            "9p", "ceph", "lustre", "gpfs", "beegfs", "orangefs", "pvfs2", "gfs2", "ocfs2", "glusterfs", "sshfs",
            "fuse.sshfs", "fuse.s3fs", "fuse.rclone", "fuse.gcsfuse", "fuse.glusterfs", "fuse.ceph-fuse",
            "fuse.juicefs", "fuse.goofys");

    /**
     * OSHI's {@code oshi.pseudo.filesystem.types} (those that exist on Linux), which the sampler used to get its
     * mounts from: kernel interfaces without space of their own, and {@code autofs}, whose statvfs would mount what
     * it stands for, a network share as likely as not. Bare {@code fuse} is a FUSE daemon that did not name itself.
     * As OSHI did, a pseudo filesystem at {@code /} is kept (a container's overlay root); the default filter drops
     * overlay anyway.
     */
    static final Set<String> PSEUDO_FSTYPES = Set.of("anon_inodefs", "autofs", "bdev", "binfmt_misc", "bpf",
            "cgroup", "cgroup2", "configfs", "cpuset", "dax", "debugfs", "devpts", "devtmpfs", "drm", "ecryptfs",
            "efivarfs", "fuse", "fusectl", "hugetlbfs", "inotifyfs", "mqueue", "nfsd", "overlay", "proc", "procfs",
            "pstore", "rootfs", "rpc_pipefs", "securityfs", "selinuxfs", "sunrpc", "sysfs", "tracefs", "usbfs",
            "squashfs");

    /** What the sampler needs of one line of mountinfo, unescaped. */
    record MountEntry(String mountPoint, String fsType, String source) {
        MountEntry {
            requireNonNull(mountPoint, "mountPoint");
            requireNonNull(fsType, "fsType");
            requireNonNull(source, "source");
        }
    }

    /**
     * What statvfs says of a filesystem.
     *
     * @param inodes 0 where the filesystem reports none (btrfs and vfat allocate them on demand)
     */
    record Space(long size, long free, long available, long inodes, long freeInodes) {}

    /** statvfs(3) of a mount point. */
    @FunctionalInterface
    interface SpaceReader {
        /** Empty when the mount point cannot be asked: it went away, or the agent may not enter its parent. */
        Optional<Space> read(String mountPoint);
    }

    private static final Duration PERIOD = Duration.ofSeconds(10);
    /** mountinfo: ID, parent ID, major:minor, root, mount point, options, then optional fields up to a "-". */
    private static final int SEPARATOR_FROM = 6;
    private static final int MOUNT_POINT = 4;

    private final Path procRoot;
    private final FilesystemFilter filter;
    private final SpaceReader spaces;

    /** @param procRoot {@code /proc}, or a fixture tree with {@code self/mountinfo} */
    FilesystemSampler(Path procRoot, FilesystemFilter filter, SpaceReader spaces) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.filter = requireNonNull(filter, "filter");
        this.spaces = requireNonNull(spaces, "spaces");
    }

    /** The sampler of this host's mounts, asking the C library's statvfs. */
    public static FilesystemSampler forHost(FilesystemFilter filter) {
        return new FilesystemSampler(HostSamplers.PROC, filter, new Statvfs());
    }

    @Override
    public String name() {
        return MetricCatalogue.FILESYSTEM;
    }

    /**
     * Every 10 s: space changes slowly, and a local disk that hangs (a failing one does) should be met rarely. The
     * reading itself is cheap: one read of mountinfo and one statvfs per reported mount.
     */
    @Override
    public Duration defaultPeriod(Duration tick) {
        return tick.compareTo(PERIOD) > 0 ? tick : PERIOD;
    }

    @Override
    public void sample(SeriesWriter out) throws IOException {
        Path file = procRoot.resolve("self").resolve("mountinfo");
        List<MountEntry> entries;
        // Decoded leniently: a mount point that is not UTF-8 gets replacement characters and then fails its
        // statvfs, rather than failing every other mount with it.
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), UTF_8))) {
            entries = parse(file.toString(), reader);
        }
        for (MountEntry entry : select(entries, filter)) {
            Optional<Space> space = spaces.read(entry.mountPoint());
            if (space.isPresent()) {
                write(entry, space.get(), out);
            }
        }
    }

    /**
     * Parses {@code /proc/[pid]/mountinfo} (proc(5)): a mount per line, fields separated by single spaces, the
     * optional fields ended by a lone {@code -}, and spaces, tabs, newlines and backslashes inside a field written
     * as octal escapes ({@code \040}).
     *
     * @param file the file's name for error messages
     * @throws IOException naming the file and line when a line does not have the fields the kernel writes
     */
    static List<MountEntry> parse(String file, BufferedReader reader) throws IOException {
        List<MountEntry> entries = new ArrayList<>();
        int lineNumber = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(" ");
            int separator = SEPARATOR_FROM;
            while (separator < fields.length && !fields[separator].equals("-")) {
                separator++;
            }
            if (separator >= fields.length) {
                throw ProcText.malformed(file, lineNumber, "expected six fields and a - before the filesystem type",
                        line);
            }
            if (fields.length - separator < 3) {
                throw ProcText.malformed(file, lineNumber, "expected the filesystem type and source after the -",
                        line);
            }
            if (!fields[MOUNT_POINT].startsWith("/")) {
                throw ProcText.malformed(file, lineNumber, "the mount point is not an absolute path", line);
            }
            entries.add(new MountEntry(unescape(fields[MOUNT_POINT]), unescape(fields[separator + 1]),
                    unescape(fields[separator + 2])));
        }
        return entries;
    }

    /**
     * The mounts to ask statvfs about, in mountinfo's order: one per mount point, the last mounted there as df
     * keeps it (the one a path reaches, and the same filesystem when a bind mount repeats it), that the filter
     * accepts and that is neither a network nor a pseudo filesystem.
     */
    static List<MountEntry> select(List<MountEntry> entries, FilesystemFilter filter) {
        Map<String, MountEntry> visible = new LinkedHashMap<>();
        for (MountEntry entry : entries) {
            visible.put(entry.mountPoint(), entry);
        }
        List<MountEntry> selected = new ArrayList<>();
        for (MountEntry entry : visible.values()) {
            if (NETWORK_FSTYPES.contains(entry.fsType())) {
                continue;
            }
            if (PSEUDO_FSTYPES.contains(entry.fsType()) && !entry.mountPoint().equals("/")) {
                continue;
            }
            if (filter.accepts(entry.mountPoint(), entry.fsType())) {
                selected.add(entry);
            }
        }
        return selected;
    }

    /** A mountinfo field with its {@code \ooo} escapes replaced; a backslash without three octal digits stays. */
    static String unescape(String field) {
        int backslash = field.indexOf('\\');
        if (backslash < 0) {
            return field;
        }
        StringBuilder text = new StringBuilder(field.length());
        text.append(field, 0, backslash);
        for (int i = backslash; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field.charAt(i + 1)) && isOctal(field.charAt(i + 2))
                    && isOctal(field.charAt(i + 3))) {
                text.append((char) ((field.charAt(i + 1) - '0') * 64 + (field.charAt(i + 2) - '0') * 8
                        + (field.charAt(i + 3) - '0')));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    static void write(MountEntry entry, Space space, SeriesWriter out) {
        if (space.size() <= 0) {
            return;
        }
        LabelSet labels = LabelSet.of("mount", entry.mountPoint(), "fstype", entry.fsType(), "device", entry.source());
        long used = space.size() - space.free();
        out.put(SIZE, labels, space.size());
        out.put(FREE, labels, space.free());
        out.put(AVAILABLE, labels, space.available());
        if (used + space.available() > 0) {
            out.put(USED, labels, (double) used / (used + space.available()));
        }
        if (space.inodes() > 0) {
            out.put(INODES, labels, space.inodes());
            out.put(INODES_FREE, labels, space.freeInodes());
        }
    }

    /**
     * The C library's statvfs through jna-platform's mapping. It keeps one result structure, since making one costs
     * several times the call; so it is not thread-safe, and one sampler owns it.
     */
    private static final class Statvfs implements SpaceReader {
        // Mount points are passed as UTF-8 whatever the JVM's default charset, which is ASCII under a C locale.
        private final LibC libc = Native.load("c", LibC.class, Map.of(Library.OPTION_STRING_ENCODING, UTF_8.name()));
        private final LibC.Statvfs result = new LibC.Statvfs();

        @Override
        public Optional<Space> read(String mountPoint) {
            if (libc.statvfs(mountPoint, result) != 0) {
                return Optional.empty();
            }
            long unit = result.f_frsize.longValue();
            return Optional.of(new Space(result.f_blocks.longValue() * unit, result.f_bfree.longValue() * unit,
                    result.f_bavail.longValue() * unit, result.f_files.longValue(), result.f_ffree.longValue()));
        }
    }
}
