package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * User names by uid from a passwd file, the way {@code ipcs} and {@code ls} show owners: what a fixture {@code /etc}
 * gives the tests, and the fallback where the system's resolver ({@link NssUserNames}) cannot be loaded. Users that
 * only NSS knows (LDAP, sssd) show as their numeric uid here. Not thread-safe: one sampler owns it.
 */
final class UserNames implements OwnerNames {
    /** What identifies one version of the file, so an unchanged file costs one stat per sample. */
    private record Stamp(FileTime modified, long size, Object fileKey) {}

    private final Path passwd;
    private Map<Long, String> names = Map.of();
    private Stamp stamp;

    UserNames(Path passwd) {
        this.passwd = requireNonNull(passwd, "passwd");
    }

    /** Re-reads the file if it changed since the last call. A missing file leaves every owner numeric. */
    @Override
    public void refresh() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(passwd, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            names = Map.of();
            stamp = null;
            return;
        }
        Stamp current = new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        if (current.equals(stamp)) {
            return;
        }
        // Decoded leniently: a GECOS field in Latin-1 must not cost every owner its name.
        names = parse(new String(Files.readAllBytes(passwd), UTF_8).lines().toList());
        stamp = current;
    }

    /** The user's name, or the uid in decimal when the file does not name it. */
    @Override
    public String name(long uid) {
        String name = names.get(uid);
        return name != null ? name : Long.toString(uid);
    }

    /**
     * The uid-to-name map of passwd lines ({@code name:password:uid:gid:gecos:home:shell}). Lines that do not name a
     * numeric uid (comments, NIS {@code +}/{@code -} entries, damage) are skipped, not fatal: the file belongs to the
     * host, and a bad line in it should only cost that user's name. The first line for a uid wins, as getpwuid's.
     */
    static Map<Long, String> parse(List<String> lines) {
        Map<Long, String> names = new HashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length < 3 || fields[0].isEmpty()) {
                continue;
            }
            long uid;
            try {
                uid = Long.parseLong(fields[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (uid >= 0 && uid <= 0xFFFF_FFFFL) {
                names.putIfAbsent(uid, fields[0]);
            }
        }
        return Map.copyOf(names);
    }
}
