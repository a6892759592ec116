package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.PathCheckSpec;
import io.rollguard.config.check.PathCheckSpec.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A file or directory in the expected state; its value is its size in bytes (NaN when absent or a directory). */
final class PathCheck implements Check {
    private final PathCheckSpec spec;
    private final Clock clock;

    public PathCheck(PathCheckSpec spec, Clock clock) {
        this.spec = requireNonNull(spec, "spec");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public CheckResult run() throws IOException {
        Path path = spec.path();
        boolean exists = Files.exists(path);
        if (spec.expect().contains(Expectation.ABSENT)) {
            return exists ? CheckResult.failed(path + " exists (expected absent)") : CheckResult.passed(path + " is absent", Double.NaN);
        }
        if (!exists) {
            return CheckResult.failed(path + " does not exist");
        }
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
        Expectations expectations = new Expectations();
        expectations.require(!spec.expect().contains(Expectation.FILE) || attributes.isRegularFile(),
                path + " is not a regular file");
        expectations.require(!spec.expect().contains(Expectation.DIR) || attributes.isDirectory(),
                path + " is not a directory");
        expectations.require(!spec.expect().contains(Expectation.READABLE) || Files.isReadable(path),
                path + " is not readable by " + System.getProperty("user.name"));
        expectations.require(!spec.expect().contains(Expectation.WRITABLE) || Files.isWritable(path),
                path + " is not writable by " + System.getProperty("user.name"));
        if (spec.maxAge() != null) {
            Duration age = Duration.between(attributes.lastModifiedTime().toInstant(), Instant.now(clock));
            expectations.require(age.compareTo(spec.maxAge()) <= 0, path + " was last modified "
                    + Human.seconds(age.toMillis() / 1000.0) + " ago (max " + Human.seconds(spec.maxAge().toMillis() / 1000.0) + ")");
        }
        if (spec.minSize() >= 0) {
            expectations.require(attributes.size() >= spec.minSize(), path + " is " + Human.bytes(attributes.size())
                    + " (min " + Human.bytes(spec.minSize()) + ")");
        }
        if (spec.mode() >= 0) {
            int actual = bits(attributes);
            expectations.require((actual & ~spec.mode()) == 0, String.format("%s has mode %04o (at most %04o allowed)",
                    path, actual, spec.mode()));
        }
        if (spec.owner() != null) {
            String owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
            expectations.require(owner.equals(spec.owner()), path + " is owned by " + owner + " (expected "
                    + spec.owner() + ")");
        }
        double value = attributes.isRegularFile() ? attributes.size() : Double.NaN;
        return expectations.result(path + (attributes.isDirectory() ? " is a directory" : " is " + Human.bytes(attributes.size())), value);
    }

    private static int bits(PosixFileAttributes attributes) {
        int bits = 0;
        for (PosixFilePermission permission : attributes.permissions()) {
            bits |= 1 << (8 - permission.ordinal());
        }
        return bits;
    }
}
