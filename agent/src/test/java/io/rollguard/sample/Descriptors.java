package io.rollguard.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The file descriptors of this JVM, for tests that a sampler keeps none open from one run to the next. */
final class Descriptors {
    /** Other threads of the test JVM may open a few meanwhile; a descriptor kept per run shows as one per run. */
    static final long MARGIN = 5;

    private Descriptors() {}

    /** How many descriptors this JVM has open, the listing's own included. */
    static long open() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }
}
