package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * sshd's StrictModes for the files the agent trusts (its configuration, token files, TLS files, action programs):
 * a file someone other than root or the agent's own user could change, directly or by replacing it in one of its
 * directories, is refused. A world-writable directory with the sticky bit ({@code /tmp}) is accepted as a parent:
 * there, only a file's owner may rename or delete it, and the file itself is judged.
 */
public final class StrictModes {
    private static final int GROUP_WRITE = 0020;
    private static final int OTHERS_WRITE = 0002;
    private static final int STICKY = 01000;

    private final String agentUser;

    /** @param agentUser the user the agent runs as; root is always trusted as well */
    public StrictModes(String agentUser) {
        this.agentUser = requireNonNull(agentUser, "agentUser");
    }

    /** The user the running JVM is: the agent's own. */
    public static StrictModes forThisUser() {
        return new StrictModes(System.getProperty("user.name"));
    }

    /** What {@link #judge} needs of one file or directory. */
    record Attributes(String owner, int mode, boolean directory) {}

    /**
     * Why {@code file}, described as {@code what} ("config file", "token file", ...), must not be trusted: "refusing to
     * load token file /etc/rollguard/token: it is writable by others; fix with: chmod o-w /etc/rollguard/token".
     * Symbolic links are followed: the file really read, and its real directories, are judged. Empty when it may be
     * trusted, and when the file does not exist (reading it reports that).
     *
     * @param verb "load" or "run"
     */
    public Optional<String> distrust(Path file, String verb, String what) throws IOException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        Optional<Attributes> own = attributes(real);
        if (own.isEmpty()) {
            return Optional.empty(); // no POSIX permissions to judge on this filesystem
        }
        judge(own.get(), file, "it", problems, fixes);
        for (Path directory = real.getParent(); directory != null; directory = directory.getParent()) {
            Optional<Attributes> attributes = attributes(directory);
            if (attributes.isPresent()) {
                judge(attributes.get(), directory, "its directory " + directory, problems, fixes);
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("refusing to " + verb + " " + (what.isEmpty() ? "" : what + " ") + file + ": "
                + String.join(" and ", problems) + "; fix with: " + String.join(" && ", fixes));
    }

    /** Adds what is wrong with one file or directory, and the command that fixes it. */
    void judge(Attributes attributes, Path path, String subject, List<String> problems, List<String> fixes) {
        String owner = attributes.owner();
        if (!owner.equals("root") && !owner.equals(agentUser)) {
            problems.add(subject + " is owned by " + owner + ", not by root or the agent's user " + agentUser);
            fixes.add("chown " + agentUser + " " + path);
        }
        boolean sticky = attributes.directory() && (attributes.mode() & STICKY) != 0;
        boolean group = (attributes.mode() & GROUP_WRITE) != 0;
        boolean others = (attributes.mode() & OTHERS_WRITE) != 0;
        if ((group || others) && !sticky) {
            problems.add(subject + " is writable by " + (group && others ? "its group and others" : group
                    ? "its group" : "others"));
            fixes.add("chmod " + (group && others ? "go-w" : group ? "g-w" : "o-w") + " " + path);
        }
    }

    private static Optional<Attributes> attributes(Path path) throws IOException {
        PosixFileAttributes posix;
        try {
            posix = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
        int mode;
        try {
            // The "unix" view is the only one that shows the sticky bit.
            mode = (Integer) Files.getAttribute(path, "unix:mode");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            mode = 0;
            for (java.nio.file.attribute.PosixFilePermission permission : posix.permissions()) {
                mode |= 1 << (8 - permission.ordinal());
            }
        }
        return Optional.of(new Attributes(posix.owner().getName(), mode, posix.isDirectory()));
    }
}
