package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.testing.AgentHttp;
import io.rollguard.testing.Subprocess;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory whose disk stops answering (an ext4 file system frozen with {@code fsfreeze}: every write waits
 * until it is thawed, as on a stalled SAN or a dying disk) stalls the thread that writes, never HTTP: while a re-arm
 * waits in its write of state.json under the guard's lock, /health, /health/detailed, /api/v1/rules, the status
 * page, /api/v1/deployments and /metrics are all answered. Needs root (mount, losetup) and e2fsprogs; skipped, saying
 * why, elsewhere.
 */
class AgentSlowDiskTest {
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());

    @TempDir
    Path dir;

    private Path mount;
    private boolean mounted;
    private boolean frozen;
    private Process safetyThaw;
    private Agent agent;

    @AfterEach
    void cleanUp() throws Exception {
        if (frozen) {
            Subprocess.run("fsfreeze", "-u", mount.toString());
        }
        if (safetyThaw != null) {
            safetyThaw.destroy();
        }
        if (agent != null) {
            agent.close();
        }
        if (mounted) {
            Subprocess.run("umount", mount.toString());
        }
    }

    @Test
    void aStalledDiskStallsTheWriterNeverTheHttpAnswers() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a file system to freeze");
        for (String tool : List.of("mkfs.ext4", "fsfreeze", "mount", "umount")) {
            assumeTrue(Subprocess.onPath(tool), tool + " not found (e2fsprogs, util-linux)");
        }
        Path image = dir.resolve("disk.img");
        try (var file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(16L << 20);
        }
        assumeTrue(Subprocess.run("mkfs.ext4", "-q", "-F", image.toString()) == 0, "mkfs.ext4 failed");
        mount = Files.createDirectory(dir.resolve("mnt"));
        assumeTrue(Subprocess.run("mount", "-o", "loop", image.toString(), mount.toString()) == 0,
                "cannot loop-mount here (a container without loop devices?)");
        mounted = true;

        Path stateDir = Files.createDirectory(mount.resolve("state"));
        Files.writeString(stateDir.resolve("state.json"), """
                {"latches": {"api-down": {"action": "rollback", "at": "2026-12-01T00:00:00Z", "event_id": 4}},
                 "rollback_starts": []}
                """);
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        script.toFile().setExecutable(true, true);
        agent = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [action.rollback]
                run = ["%s"]
                rollback = true

                [[rule]]
                name = "api-down"
                when = 'rollguard_build_info == 0'
                action = "rollback"
                """.formatted(stateDir, script), dir)), TimeSource.system(), List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/api/v1/rules").statusCode() == 200
                && http.get("/api/v1/rules").body().contains("\"latched\":true"));

        // Thawed by itself after two minutes, even if this JVM dies: a frozen file system must not outlive the test.
        safetyThaw = Subprocess.builder(List.of("sh", "-c", "sleep 120; fsfreeze -u " + mount)).start();
        assertThat(Subprocess.run("fsfreeze", "-f", mount.toString())).isZero();
        frozen = true;
        CompletableFuture<HttpResponse<String>> rearm = CompletableFuture.supplyAsync(() -> {
            try {
                return http.post("/api/v1/rules/api-down/rearm");
            } catch (IOException | InterruptedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // The re-arm is under way: the scheduler thread waits in the write of state.json, holding the guard's lock.
        await().atMost(Duration.ofSeconds(60)).until(() -> waitsInStateWrite("rollguard-tick"));

        for (String path : List.of("/health", "/health/detailed", "/api/v1/rules", "/", "/api/v1/deployments",
                "/metrics", "/api/v1/events")) {
            HttpResponse<String> answer = http.get(path);
            assertThat(answer.statusCode()).as(path).isIn(200, 503);
        }
        assertThat(rearm).isNotDone();

        assertThat(Subprocess.run("fsfreeze", "-u", mount.toString())).isZero();
        frozen = false;
        assertThat(rearm.get().body()).contains("api-down");
    }

    private static boolean waitsInStateWrite(String threadPrefix) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(threadPrefix))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                        frame.getClassName().equals("io.rollguard.journal.StateDirectory")));
    }
}
