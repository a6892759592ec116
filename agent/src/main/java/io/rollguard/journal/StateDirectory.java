package io.rollguard.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static FileAttribute<Set<PosixFilePermission>> permissions(String mode) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode));
    }
}
