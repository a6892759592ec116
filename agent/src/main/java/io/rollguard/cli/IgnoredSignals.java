package io.rollguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which signals this process was started with ignored, from the {@code SigIgn} mask of {@code /proc/self/status}.
 * An ignored signal is inherited across exec, and the JVM leaves an ignored SIGHUP ignored: an agent started under
 * {@code nohup} never sees the SIGHUP that asks it to reload.
 */
final class IgnoredSignals {
    private static final int SIGHUP = 1;

    private IgnoredSignals() {}

    /** Whether this process ignores SIGHUP; false when {@code status} cannot be read. */
    static boolean hangupIgnored(Path status) {
        try {
            return hangupIgnored(Files.readAllLines(status));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the {@code SigIgn:} line of a status file has the bit of SIGHUP (signal n is bit n - 1). */
    static boolean hangupIgnored(List<String> status) {
        for (String line : status) {
            if (line.startsWith("SigIgn:")) {
                try {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16)
                            & (1L << (SIGHUP - 1))) != 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
