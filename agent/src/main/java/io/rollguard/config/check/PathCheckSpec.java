package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code type = "path"}: a file or directory in the expected state.
 *
 * @param maxAge the last modification must be more recent than this; null for no bound
 * @param minSize in bytes; -1 for no bound
 * @param mode the permission bits allowed at most, such as 0750; -1 for no bound
 * @param owner the user that must own it; null for any
 */
public record PathCheckSpec(Path path, Set<Expectation> expect, Duration maxAge, long minSize, int mode, String owner)
        implements CheckSpec {
    /** What a path check can require. */
    public enum Expectation {
        EXISTS, ABSENT, FILE, DIR, READABLE, WRITABLE
    }

    public PathCheckSpec {
        requireNonNull(path, "path");
        expect = Set.copyOf(expect);
    }

    @Override
    public String type() {
        return "path";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.path(this);
    }
}
