package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

/**
 * {@code type = "shm"}: a shared memory segment is present (at least {@code minSize} bytes) or absent, as a
 * checklist verifies with {@code ipcs -m} or {@code ls /dev/shm}.
 *
 * @param minSize in bytes; -1 for no bound
 */
public record ShmCheckSpec(Segment segment, Expectation expect, long minSize) implements CheckSpec {
    /** The state the segment must be in. */
    public enum Expectation {
        PRESENT, ABSENT
    }

    /** Which segment: a System V one by key, or a POSIX one by name. */
    public sealed interface Segment permits SysvKey, PosixName {
        <R> R accept(SegmentVisitor<R> visitor);
    }

    /** One method per kind of segment. */
    public interface SegmentVisitor<R> {
        R sysv(SysvKey key);

        R posix(PosixName name);
    }

    /**
     * {@code key}: a System V segment, by the key its creator passed to {@code shmget}.
     *
     * @param key the kernel's signed {@code key_t}; {@link #text()} is how {@code ipcs -m} prints it
     */
    public record SysvKey(int key) implements Segment {
        public String text() {
            String hex = Integer.toHexString(key);
            return "0x" + "0".repeat(8 - hex.length()) + hex;
        }

        @Override
        public <R> R accept(SegmentVisitor<R> visitor) {
            return visitor.sysv(this);
        }
    }

    /** {@code posix_name}: a POSIX segment, by the name passed to {@code shm_open} without its leading slash. */
    public record PosixName(String name) implements Segment {
        public PosixName {
            requireNonNull(name, "name");
        }

        @Override
        public <R> R accept(SegmentVisitor<R> visitor) {
            return visitor.posix(this);
        }
    }

    public ShmCheckSpec {
        requireNonNull(segment, "segment");
        requireNonNull(expect, "expect");
    }

    @Override
    public String type() {
        return "shm";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.shm(this);
    }
}
