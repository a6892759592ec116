package io.rollguard.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void withoutNotifySocketNothingIsSent() {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "30000000"), 42);

        assertThat(notifier.enabled()).isFalse();
        notifier.ticked(0, "0 checks");
        notifier.stopping();
    }

    @Test
    void sendsReadyWatchdogStatusAndStoppingToAPathSocket() throws IOException {
        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            assertSendsEveryMessage(systemd);
        }
    }

    @Test
    void sendsToAnAbstractSocket() throws IOException {
        try (FakeNotifySocket systemd = new FakeNotifySocket("@rollguard-test-" + UUID.randomUUID())) {
            assertSendsEveryMessage(systemd);
        }
    }

    @Test
    void aReloadSaysReloadingWithTheMonotonicTimeThenReady() throws IOException {
        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.name()), 42);
            notifier.ticked(0, "0 checks");

            notifier.reloading(12_345_678_999L);
            notifier.reloaded();

            assertThat(systemd.datagrams()).containsExactly("READY=1\nSTATUS=0 checks\n",
                    "RELOADING=1\nMONOTONIC_USEC=12345678\n", "READY=1\n");
        }
    }

    @Test
    void withoutNotifySocketAReloadSendsNothing() {
        SystemdNotifier notifier = SystemdNotifier.disabled();

        notifier.reloading(1);
        notifier.reloaded();

        assertThat(notifier.enabled()).isFalse();
    }

    private static void assertSendsEveryMessage(FakeNotifySocket systemd) throws IOException {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", systemd.name(), "WATCHDOG_USEC", "30000000"), 42);

        notifier.ticked(0, "1 checks (0 failing)");
        notifier.stopping();

        assertThat(systemd.datagrams()).containsExactly("READY=1\nWATCHDOG=1\nSTATUS=1 checks (0 failing)\n",
                "STOPPING=1\n");
    }

    @Test
    void pingsTheWatchdogAtHalfItsPeriodAndStatusOnlyWhenItChanges() throws IOException {
        List<String> sent = new ArrayList<>();
        SystemdNotifier notifier = new SystemdNotifier(message -> sent.add(new String(message)), "test",
                SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "30000000"), 42));

        notifier.ticked(0, "a");
        notifier.ticked(5 * SECOND, "a");
        notifier.ticked(14 * SECOND, "b");
        notifier.ticked(15 * SECOND, "b");
        notifier.ticked(29 * SECOND, "b");
        notifier.ticked(30 * SECOND, "b");

        assertThat(sent).containsExactly("READY=1\nWATCHDOG=1\nSTATUS=a\n", "STATUS=b\n", "WATCHDOG=1\n",
                "WATCHDOG=1\n");
    }

    @Test
    void theWatchdogIsOursOnlyWithoutWatchdogPidOrWithOurs() {
        assertThat(SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "30000000"), 42))
                .isEqualTo(Duration.ofSeconds(15));
        assertThat(SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42))
                .isEqualTo(Duration.ofSeconds(15));
        assertThat(SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42))
                .isNull();
        assertThat(SystemdNotifier.watchdogPing(Map.of(), 42)).isNull();
        assertThat(SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "0"), 42)).isNull();
        assertThat(SystemdNotifier.watchdogPing(Map.of("WATCHDOG_USEC", "soon"), 42)).isNull();
    }

    @Test
    void aSocketNobodyListensOnIsLoggedNotThrownAndTheMessageIsSentAgain() throws IOException {
        String name = dir.resolve("later").toString();
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name), 42);

        notifier.ticked(0, "a");
        try (FakeNotifySocket systemd = new FakeNotifySocket(name)) {
            notifier.ticked(SECOND, "a");

            assertThat(systemd.datagrams()).as("READY=1 and STATUS were not sent before: they are now")
                    .containsExactly("READY=1\nSTATUS=a\n");
        }
    }

    @Test
    void namesTooLongOrEmptyAreRefused() {
        assertThatThrownBy(() -> UnixDatagrams.address("/" + "x".repeat(200))).hasMessageContaining("longer than 108");
        assertThatThrownBy(() -> UnixDatagrams.address("@")).hasMessageContaining("not a socket name");
        assertThatThrownBy(() -> UnixDatagrams.address("")).hasMessageContaining("not a socket name");
    }

    @Test
    void aThousandNotificationsLeakNoFileDescriptor() throws IOException {
        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.name()), 42);
            notifier.ticked(0, "warm-up"); // loads the C library, which opens files of its own
            systemd.datagrams();
            long before = openFileDescriptors();

            for (int i = 0; i < 1000; i++) {
                notifier.ticked(i, "tick " + i);
                if (i % 5 == 4) {
                    systemd.datagrams(); // the kernel queues 10 (net.unix.max_dgram_qlen) for a reader
                }
            }

            assertThat(systemd.datagrams()).hasSize(1001);
            // Other threads of the test JVM may open a file meanwhile; a leak would be a thousand.
            assertThat(openFileDescriptors()).isLessThanOrEqualTo(before + 5);
        }
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
