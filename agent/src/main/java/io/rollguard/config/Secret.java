package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A bearer token read from a file. It prints as {@code Secret[redacted]}, so that no log line, error message or
 * record's {@code toString} can show it; only {@link #matches} and {@link #value} (for the CLI that sends it) see it.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = requireNonNull(value, "value");
    }

    /**
     * Whether {@code presented} is this secret, in time that depends on neither its content nor its length: both are
     * hashed first, then compared with {@link MessageDigest#isEqual}.
     */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(value), sha256(presented));
    }

    /** The token itself, for a client to send; never for a message. */
    public String value() {
        return value;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && MessageDigest.isEqual(sha256(value), sha256(secret.value));
    }

    @Override
    public int hashCode() {
        return 0; // equal secrets must hash alike; a hash of the token would be a little of it
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
