package io.rollguard.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The state directory's file system chores, shared by the journal and the state file. */
final class StateDirectory {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private StateDirectory() {}

    /** Creates the directory, and its missing parents, readable by the agent's group only. */
    static void create(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Files.createDirectories(dir, permissions("rwxr-x---"));
        } else {
            Files.createDirectories(dir);
        }
    }

    /** The permissions of a file created in the state directory, where the platform has them. */
    static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {permissions("rw-r-----")} : new FileAttribute<?>[0];
    }

    /**
     * Makes a rename or a newly created file in the directory durable: the entry lives in the directory, which a
     * file's own fsync does not cover.
     */
    static void force(Path dir) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform opens a directory (Windows does not); there, a rename is as durable as it gets.
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    /**
     * Replaces {@code file} (in {@code dir}) with {@code bytes} atomically: a temporary file {@code temp} in the same
     * directory, fsync, rename over, fsync of the directory. A crash at any moment leaves the old file or the new one,
     * whole; if this throws, the old file is still in place.
     */
    static void replace(Path dir, Path file, Path temp, byte[] bytes) throws IOException {
        create(dir);
        // A temporary file left by a crash is stale; CREATE_NEW then also refuses a link planted in its place.
        Files.deleteIfExists(temp);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), fileAttributes())) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            force(dir);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // The write's own failure is what matters; a stale temporary file is removed by the next write.
                }
            }
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> permissions(String mode) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode));
    }
}
