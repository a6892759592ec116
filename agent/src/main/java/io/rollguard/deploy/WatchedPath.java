package io.rollguard.deploy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * {@code [deploy] watch_path}: the version a symbolic link or a file names. A link names the last element of its
 * target ({@code current -> releases/v42} is {@code v42}); a regular file its first line, trimmed, of its first
 * {@link #MAX_BYTES} bytes. Cheap enough for every tick: one {@code lstat}, then a {@code readlink}, or a read only
 * when the file's identity, size or modification time changed.
 */
final class WatchedPath {
    static final int MAX_BYTES = 128;

    /** What one look found: a version, or why there is none ({@code problem}). */
    record Observation(String version, String problem) {
        static Observation of(String version) {
            return new Observation(version, null);
        }

        static Observation none(String problem) {
            return new Observation(null, problem);
        }
    }

    private final Path path;
    private Object fileKey;
    private FileTime modified;
    private long size = -1;
    private Observation lastRead;

    WatchedPath(Path path) {
        this.path = requireNonNull(path, "path");
    }

    Path path() {
        return path;
    }

    Observation observe() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Observation.none("does not exist");
        } catch (IOException e) {
            return Observation.none("cannot be read: " + e);
        }
        if (attributes.isSymbolicLink()) {
            try {
                Path name = Files.readSymbolicLink(path).getFileName();
                return name == null ? Observation.none("is a link to the root directory, which names no version")
                        : Observation.of(name.toString());
            } catch (NoSuchFileException e) {
                return Observation.none("does not exist"); // replaced by a new link between the two calls
            } catch (IOException e) {
                return Observation.none("cannot be read: " + e);
            }
        }
        if (!attributes.isRegularFile()) {
            return Observation.none("is neither a symbolic link nor a regular file");
        }
        if (lastRead != null && Objects.equals(attributes.fileKey(), fileKey)
                && attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
            return lastRead;
        }
        Observation read = read();
        fileKey = attributes.fileKey();
        modified = attributes.lastModifiedTime();
        size = attributes.size();
        lastRead = read;
        return read;
    }

    private Observation read() {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(MAX_BYTES);
        } catch (NoSuchFileException e) {
            return Observation.none("does not exist");
        } catch (IOException e) {
            return Observation.none("cannot be read: " + e);
        }
        String text = new String(head, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String version = (newline >= 0 ? text.substring(0, newline) : text).strip();
        return version.isEmpty() ? Observation.none("is empty: its first line names no version")
                : Observation.of(version);
    }
}
