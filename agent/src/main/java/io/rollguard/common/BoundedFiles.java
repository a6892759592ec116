package io.rollguard.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a whole file only up to a bound. A file over it is refused before it is read, from its size, and one that
 * does not say its size ({@code /dev/zero}, a FIFO) once the bound is passed: no file can make the agent read for
 * ever or run out of memory.
 */
public final class BoundedFiles {
    /** How large a configuration file, its token files and its PEM files may be. */
    public static final int CONFIG_BYTES = 1024 * 1024;
    /** How large {@code token_file}, {@code read_token_file} and {@code bearer_token_file} may be. */
    public static final int TOKEN_BYTES = 64 * 1024;
    /** How large {@code tls_cert} and {@code tls_key} may be: a long certificate chain is some tens of KiB. */
    public static final int PEM_BYTES = 1024 * 1024;
    /**
     * How large {@code state.json} may be: latches, the deployment and its baselines take some KiB. The agent never
     * writes a larger one, and a larger one is damaged.
     */
    public static final int STATE_BYTES = 1024 * 1024;

    private BoundedFiles() {}

    /** A file over its bound. The message says how large it is, when that is known, and the bound. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long size, int limit, String what) {
            super("too large: " + (size < 0 ? "" : Human.bytes(size) + " (" + size + " bytes), ") + "more than the "
                    + Human.bytes(limit) + " " + what + " may be");
        }
    }

    /**
     * The bytes of {@code file}, at most {@code limit} of them.
     *
     * @param what what the file is, for the message: "a configuration file"
     * @throws TooLargeException if it holds more
     * @throws IOException as {@link Files#readAllBytes(Path)} does otherwise
     */
    public static byte[] read(Path file, int limit, String what) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.isRegularFile(file) ? Files.size(file) : -1;
            if (size > limit) {
                throw new TooLargeException(size, limit, what);
            }
            // At most one byte past the bound: enough to know it was passed, whatever the file claimed.
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new TooLargeException(Files.isRegularFile(file) ? Files.size(file) : -1, limit, what);
            }
            return bytes;
        }
    }

    /** {@link #read} of a file that is text in UTF-8; a malformed byte becomes U+FFFD. */
    public static String readString(Path file, int limit, String what) throws IOException {
        return new String(read(file, limit, what), java.nio.charset.StandardCharsets.UTF_8);
    }
}
