package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.ShmCheckSpec;
import io.rollguard.config.check.ShmCheckSpec.Expectation;
import io.rollguard.sample.SharedMemorySegments;
import io.rollguard.sample.SharedMemorySegments.PosixSegment;
import io.rollguard.sample.SharedMemorySegments.SysvSegment;
import java.io.IOException;
import java.util.Optional;

/**
 * A shared memory segment is present, and big enough, or absent: {@code ipcs -m} or {@code ls /dev/shm} in a
 * checklist. Its value is the segment's size in bytes, NaN when there is none.
 */
final class ShmCheck implements Check {
    /** What one look found: where to name the segment in a message, and its size if present. */
    private record Found(String what, long sizeBytes, String details) {
        boolean present() {
            return sizeBytes >= 0;
        }
    }

    private final ShmCheckSpec spec;
    private final SharedMemorySegments segments;

    /** @param segments this host's segments, or those of a fixture {@code /proc} and {@code /dev/shm} */
    public ShmCheck(ShmCheckSpec spec, SharedMemorySegments segments) {
        this.spec = requireNonNull(spec, "spec");
        this.segments = requireNonNull(segments, "segments");
    }

    @Override
    public CheckResult run() throws IOException {
        Found found = look();
        if (spec.expect() == Expectation.ABSENT) {
            return found.present()
                    ? CheckResult.failed(found.what() + " exists (" + found.details() + "; expected absent)",
                            found.sizeBytes())
                    : CheckResult.passed(found.what() + " is absent", Double.NaN);
        }
        if (!found.present()) {
            return CheckResult.failed(found.what() + " does not exist");
        }
        Expectations expectations = new Expectations();
        if (spec.minSize() >= 0) {
            expectations.require(found.sizeBytes() >= spec.minSize(), found.what() + " is "
                    + Human.bytes(found.sizeBytes()) + " (min " + Human.bytes(spec.minSize()) + ")");
        }
        return expectations.result(found.what() + ": " + found.details(), found.sizeBytes());
    }

    /** A look for the segment; the visitor only picks which, so the I/O stays outside it and keeps its IOException. */
    private interface Lookup {
        Found find() throws IOException;
    }

    private Found look() throws IOException {
        Lookup lookup = spec.segment().accept(new ShmCheckSpec.SegmentVisitor<Lookup>() {
            @Override
            public Lookup sysv(ShmCheckSpec.SysvKey key) {
                return () -> {
                    String what = "System V segment " + key.text();
                    for (SysvSegment segment : segments.sysv()) {
                        if (segment.key() == key.key()) {
                            return new Found(what, segment.sizeBytes(), Human.bytes(segment.sizeBytes()) + ", shmid "
                                    + segment.shmid() + ", " + segment.attached() + " attached");
                        }
                    }
                    return new Found(what, -1, "");
                };
            }

            @Override
            public Lookup posix(ShmCheckSpec.PosixName name) {
                return () -> {
                    String what = "POSIX segment /" + name.name();
                    Optional<PosixSegment> segment = segments.posix(name.name());
                    return segment.map(s -> new Found(what, s.sizeBytes(), Human.bytes(s.sizeBytes())))
                            .orElse(new Found(what, -1, ""));
                };
            }
        });
        return lookup.find();
    }
}
