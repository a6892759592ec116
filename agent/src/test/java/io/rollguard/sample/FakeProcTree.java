package io.rollguard.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A procfs the test writes and rewrites between samples, for what fixtures cannot show: change over time. */
final class FakeProcTree {
    private final Path root;

    FakeProcTree(Path root) throws IOException {
        this.root = root;
        Files.writeString(root.resolve("stat"), "cpu  1 2 3 4 5 6 7 0 0 0\nbtime 1700000000\nprocesses 9000\n");
        Files.writeString(root.resolve("uptime"), "100.00 150.00\n");
    }

    Path root() {
        return root;
    }

    /** Writes (or rewrites) a process: its stat, status, NUL-separated command line and three descriptors. */
    FakeProcTree process(int pid, String command, String commandLine, long cpuTicks, long startTicks)
            throws IOException {
        Path directory = Files.createDirectories(root.resolve(Integer.toString(pid)));
        Files.writeString(directory.resolve("stat"), pid + " (" + command + ") S 1 " + pid + " " + pid
                + " 0 -1 4194560 0 0 0 0 " + cpuTicks + " 0 0 0 20 0 1 0 " + startTicks + " 1000 250"
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
        Files.writeString(directory.resolve("status"), "Name:\t" + command + "\nVmRSS:\t    1000 kB\nThreads:\t1\n");
        Files.write(directory.resolve("cmdline"), (commandLine.replace(' ', '\0') + '\0')
                .getBytes(StandardCharsets.UTF_8));
        Path descriptors = Files.createDirectories(directory.resolve("fd"));
        for (int fd = 0; fd < 3; fd++) {
            Files.writeString(descriptors.resolve(Integer.toString(fd)), "");
        }
        return this;
    }

    /** Rewrites only the command line, as a process that changes its own title does. */
    void retitle(int pid, String commandLine) throws IOException {
        Files.write(root.resolve(Integer.toString(pid)).resolve("cmdline"),
                (commandLine.replace(' ', '\0') + '\0').getBytes(StandardCharsets.UTF_8));
    }

    /** Exits without being reaped: the process stays listed, as a zombie with no command line. */
    void becomeZombie(int pid) throws IOException {
        Path directory = root.resolve(Integer.toString(pid));
        Files.writeString(directory.resolve("stat"), Files.readString(directory.resolve("stat")).replace(") S ", ") Z "));
        Files.writeString(directory.resolve("cmdline"), "");
    }

    void exit(int pid) throws IOException {
        Path directory = root.resolve(Integer.toString(pid));
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
