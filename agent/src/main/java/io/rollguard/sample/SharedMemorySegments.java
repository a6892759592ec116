package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shared memory segments of the host: System V ({@code ipcs -m}, from {@code /proc/sysvipc/shm}) and POSIX
 * (files under {@code /dev/shm}, as {@code shm_open} creates them). One reader serves both the {@code shm} sampler
 * and the {@code shm} check, so the two never disagree on what a segment is. Stateless: safe to share.
 */
public final class SharedMemorySegments {
    /** One line of {@code /proc/sysvipc/shm}; {@code key} is the kernel's signed {@code key_t}. */
    public record SysvSegment(int key, int shmid, long sizeBytes, long attached, long uid) {
        /** The key as {@code ipcs -m} prints it, such as {@code 0x0000162e}. */
        public String formattedKey() {
            return formatKey(key);
        }
    }

    /** One file under {@code /dev/shm}: its name is what processes pass to {@code shm_open}, less the slash. */
    public record PosixSegment(String name, long sizeBytes, long uid) {
        public PosixSegment {
            requireNonNull(name, "name");
        }
    }

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

    /**
     * @param procRoot {@code /proc}, or a fixture tree
     * @param devShmRoot where POSIX segments live, {@code /dev/shm} on Linux
     */
    public SharedMemorySegments(Path procRoot, Path devShmRoot) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.devShmRoot = requireNonNull(devShmRoot, "devShmRoot");
    }

    /** The segments of this host: {@code /proc}, {@code /dev/shm}. */
    public static SharedMemorySegments forHost() {
        return new SharedMemorySegments(Path.of("/proc"), Path.of("/dev/shm"));
    }

    public List<SysvSegment> sysv() throws IOException {
        Path file = procRoot.resolve(SYSV_FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of(); // a kernel built without System V IPC has no such file and no such segments
        }
        return parse(file.toString(), lines);
    }

    public List<PosixSegment> posix() throws IOException {
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
                if (!name.startsWith(SEMAPHORE_PREFIX)) {
                    segment(entry).ifPresent(segments::add);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return segments;
    }

    /**
     * The POSIX segment that {@code shm_open("/NAME")} would open, if there is one; a semaphore, a directory or a
     * link of that name is none, as {@link #posix()} would not list it either.
     *
     * @param name without the leading slash, and without any other
     */
    public Optional<PosixSegment> posix(String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.startsWith(SEMAPHORE_PREFIX)) {
            return Optional.empty();
        }
        return segment(devShmRoot.resolve(name));
    }

    private static Optional<PosixSegment> segment(Path entry) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(entry, "unix:isRegularFile,size,uid", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // absent, or unlinked between a listing and this stat: gone either way
        }
        // shm_open names have no slash, so a directory or a link here is something else's business.
        if (!(Boolean) attributes.get("isRegularFile")) {
            return Optional.empty();
        }
        long uid = Integer.toUnsignedLong((Integer) attributes.get("uid"));
        return Optional.of(new PosixSegment(entry.getFileName().toString(), (Long) attributes.get("size"), uid));
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
