package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which process holds each socket, found as {@code ss -p} and {@code lsof} find it: through the
 * {@code socket:[inode]} links under {@code /proc/[pid]/fd}. That scan reads one link per open file of every process
 * on the host, so its answer is kept and the scan repeats only when a socket the cache cannot answer for appears, or
 * when a remembered holder no longer has the socket open (it exited, or handed the socket on). Checking a remembered
 * holder costs one {@code readlink} per socket. Not thread-safe: one sampler owns it.
 */
final class SocketOwners {
    /** A process holding a socket, and the descriptor it was seen through, to check later that it still holds it. */
    record Owner(long pid, String process, String fd) {
        Owner {
            requireNonNull(process, "process");
            requireNonNull(fd, "fd");
        }
    }

    private static final long INIT = 1;

    private final Path procRoot;
    private final Map<Long, Owner> owners = new HashMap<>();
    /** Sockets whose holder the last scan could not see: remembered so that they do not force a scan every tick. */
    private final Set<Long> invisible = new HashSet<>();

    SocketOwners(Path procRoot) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
    }

    /**
     * The holders of {@code inodes}, where visible; an inode missing from the answer has no holder the agent may see
     * (another user's process, a process in another PID namespace, or one that has just exited). Entries of sockets
     * no longer in {@code inodes} are forgotten.
     *
     * @throws IOException when the process list itself cannot be read
     */
    Map<Long, Owner> resolve(Set<Long> inodes) throws IOException {
        owners.keySet().retainAll(inodes);
        invisible.retainAll(inodes);
        if (needsScan(inodes)) {
            scan(inodes);
        }
        return Collections.unmodifiableMap(owners);
    }

    private boolean needsScan(Set<Long> inodes) {
        for (Long inode : inodes) {
            if (!owners.containsKey(inode) && !invisible.contains(inode)) {
                return true;
            }
        }
        for (Map.Entry<Long, Owner> entry : owners.entrySet()) {
            if (socketInode(fdPath(entry.getValue())) != entry.getKey()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Visits processes in ascending pid order and stops once every socket has a holder. Several processes can hold
     * one socket (a pre-forking server's workers share the master's listener); the lowest pid is kept because it is
     * usually the long-lived parent, so the series does not change when a worker is replaced. Init is the exception:
     * with socket activation systemd holds every activated listener, and the service it passed the socket to is the
     * owner worth naming.
     */
    private void scan(Set<Long> wanted) throws IOException {
        Map<Long, Owner> found = new HashMap<>();
        int settled = 0; // sockets with a holder other than init: the scan cannot improve on them
        for (long pid : pids()) {
            if (settled == wanted.size()) {
                break;
            }
            Path directory = procRoot.resolve(Long.toString(pid));
            String process = null;
            try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(directory.resolve("fd"))) {
                for (Path descriptor : descriptors) {
                    long inode = socketInode(descriptor);
                    if (inode < 0 || !wanted.contains(inode)) {
                        continue;
                    }
                    Owner previous = found.get(inode);
                    if (previous != null && (previous.pid() != INIT || pid == INIT)) {
                        continue;
                    }
                    if (process == null) {
                        process = comm(directory);
                    }
                    found.put(inode, new Owner(pid, process, descriptor.getFileName().toString()));
                    if (pid != INIT) {
                        settled++;
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // The process exited, or the agent may not look into it: its sockets stay without an owner.
            }
        }
        owners.clear();
        owners.putAll(found);
        invisible.clear();
        for (Long inode : wanted) {
            if (!found.containsKey(inode)) {
                invisible.add(inode);
            }
        }
    }

    /** Every pid under the proc root, ascending. */
    private long[] pids() throws IOException {
        long[] pids = new long[256];
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path entry : entries) {
                long pid = decimal(entry.getFileName().toString());
                if (pid < 0) {
                    continue;
                }
                if (count == pids.length) {
                    pids = Arrays.copyOf(pids, count * 2);
                }
                pids[count++] = pid;
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        long[] sorted = Arrays.copyOf(pids, count);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The value of a string of 1 to 18 ASCII digits, or -1 for anything else (such as "self" or "net"). */
    private static long decimal(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(text);
    }

    private Path fdPath(Owner owner) {
        return procRoot.resolve(Long.toString(owner.pid())).resolve("fd").resolve(owner.fd());
    }

    /** The inode of the socket the descriptor link points to, or -1 when it is no socket or is gone. */
    static long socketInode(Path descriptor) {
        String target;
        try {
            target = Files.readSymbolicLink(descriptor).toString();
        } catch (IOException e) {
            return -1; // closed since the listing, or not a link at all: either way not a socket we can name
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            return -1;
        }
        return decimal(target.substring("socket:[".length(), target.length() - 1));
    }

    /** The process name as the kernel keeps it (at most 15 bytes), which is what ss and top show. */
    private static String comm(Path directory) throws IOException {
        String comm = new String(Files.readAllBytes(directory.resolve("comm")), UTF_8);
        return comm.endsWith("\n") ? comm.substring(0, comm.length() - 1) : comm;
    }
}
