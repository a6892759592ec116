package io.rollguard.sample;

import java.io.IOException;

/** Errors for kernel text files that do not have the shape a parser expects. */
final class ProcText {
    /** Enough of a line to recognise it in a log, not so much that a garbled file floods one. */
    private static final int EXCERPT_CHARS = 120;

    private ProcText() {}

    /** {@code /proc/sysvipc/shm:3: expected at least 14 fields, found 2: "  1 2"}: file, line, what is wrong. */
    static IOException malformed(String file, int lineNumber, String problem, String line) {
        String excerpt = line.length() <= EXCERPT_CHARS ? line : line.substring(0, EXCERPT_CHARS) + "...";
        return new IOException(file + ":" + lineNumber + ": " + problem + ": \"" + excerpt.strip() + "\"");
    }
}
