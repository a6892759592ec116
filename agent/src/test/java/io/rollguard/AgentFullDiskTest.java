package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.StateFile;
import io.rollguard.testing.AgentHttp;
import io.rollguard.testing.Subprocess;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full state filesystem, a real one: a 1 MiB tmpfs filled to its last byte. The latch of a rollback still reaches
 * the disk, in the space reserved for it at the start, so the rollback runs once and not again after a restart; an
 * action with {@code on_unpersisted = "hold"} and no reserve waits for room, then runs once. Needs root to mount;
 * skipped, saying why, elsewhere.
 */
class AgentFullDiskTest {
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());

    @TempDir
    Path dir;

    private Path mount;
    private boolean mounted;
    private Agent agent;

    @BeforeEach
    void mountATinyFileSystem() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs to fill");
        mount = Files.createDirectory(dir.resolve("mnt"));
        assumeTrue(Subprocess.run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)");
        mounted = true;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (mounted) {
            Subprocess.run("umount", mount.toString());
        }
    }

    @Test
    void aFullDiskNeitherBlocksTheRollbackNorRepeatsItAfterARestart() throws Exception {
        Path stateDir = mount.resolve("state");
        Config config;
        try (ServerSocket api = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            config = config(stateDir, api.getLocalPort(), "act");
            agent = start(config);
            await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/api/v1/checks").contains("\"status\":\"UP\""));
            fill(mount);
        } // the application goes down with the disk full: the rollback is due

        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("ran")));
        await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/health/detailed").contains("state_in_reserve"));
        assertThat(((Map<?, ?>) new StateFile(stateDir).read().get("latches")).containsKey("api-down")).isTrue();

        agent.close(); // as a crash would, nothing written on the way out can be counted on with the disk full
        agent = start(config);
        await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/api/v1/events?limit=1000")
                .contains("\"result\":\"skipped_latched\""));
        assertThat(Files.readAllLines(dir.resolve("ran"))).containsExactly("api-down");
        assertThat(http.body("/api/v1/rules")).contains("\"latched\":true");
    }

    @Test
    void aRollbackThatMustNeverRepeatHoldsUntilItsLatchCanBeWrittenThenRunsOnce() throws Exception {
        Path stateDir = Files.createDirectory(mount.resolve("state"));
        Path filler = fill(mount); // before the start: no space can be reserved
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        agent = start(config(stateDir, closed, "hold"));

        await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/api/v1/events?limit=1000")
                .contains("\"result\":\"held_unpersisted\""));
        String detailed = http.body("/health/detailed");
        assertThat(detailed).contains("state_unreserved", "state_write_failed");
        assertThat(dir.resolve("ran")).doesNotExist();

        Files.delete(filler); // room again: the next tick writes the latch, then runs the rollback
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("ran")));
        await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/api/v1/events?limit=1000")
                .contains("\"kind\":\"action_finished\""));
        assertThat(Files.readAllLines(dir.resolve("ran"))).containsExactly("api-down");
        String events = http.body("/api/v1/events?limit=1000");
        assertThat(events.split("held_unpersisted", -1)).as("held is journaled once, not at every tick").hasSize(2);
        assertThat(Files.readString(stateDir.resolve("state.json"))).contains("\"api-down\"");
    }

    private Config config(Path stateDir, int port, String onUnpersisted) throws Exception {
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$ROLLGUARD_RULE\" >> " + dir.resolve("ran") + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "api"
                type = "tcp"
                port = %d
                interval = "1s"
                timeout = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true
                on_unpersisted = "%s"

                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = "rollback"
                """.formatted(stateDir, port, script, onUnpersisted), dir));
    }

    private static Agent start(Config config) throws IOException {
        Agent started = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start();
        return started;
    }

    /** Writes a file until the file system has no byte left; returns it. */
    private static Path fill(Path mount) throws IOException {
        Path filler = mount.resolve("filler");
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("No space left on device");
        }
        return filler;
    }
}
