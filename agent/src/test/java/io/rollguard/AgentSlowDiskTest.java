package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.testing.Subprocess;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

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
            run("fsfreeze", "-u", mount.toString());
        }
        if (safetyThaw != null) {
            safetyThaw.destroy();
        }
        if (agent != null) {
            agent.close();
        }
        if (mounted) {
            run("umount", mount.toString());
        }
    }

    @Test
    void aStalledDiskStallsTheWriterNeverTheHttpAnswers() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a file system to freeze");
        for (String tool : List.of("mkfs.ext4", "fsfreeze", "mount", "umount")) {
            assumeTrue(onPath(tool), tool + " not found (e2fsprogs, util-linux)");
        }
        Path image = dir.resolve("disk.img");
        try (var file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(16L << 20);
        }
        assumeTrue(run("mkfs.ext4", "-q", "-F", image.toString()) == 0, "mkfs.ext4 failed");
        mount = Files.createDirectory(dir.resolve("mnt"));
        assumeTrue(run("mount", "-o", "loop", image.toString(), mount.toString()) == 0,
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
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/v1/rules").statusCode() == 200
                && get("/api/v1/rules").body().contains("\"latched\":true"));

        // Thawed by itself after two minutes, even if this JVM dies: a frozen file system must not outlive the test.
        safetyThaw = Subprocess.builder(List.of("sh", "-c", "sleep 120; fsfreeze -u " + mount)).start();
        assertThat(run("fsfreeze", "-f", mount.toString())).isZero();
        frozen = true;
        CompletableFuture<HttpResponse<String>> rearm = client.sendAsync(HttpRequest.newBuilder(
                uri("/api/v1/rules/api-down/rearm")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        // The re-arm is under way: the scheduler thread waits in the write of state.json, holding the guard's lock.
        await().atMost(Duration.ofSeconds(60)).until(() -> waitsInStateWrite("rollguard-tick"));

        for (String path : List.of("/health", "/health/detailed", "/api/v1/rules", "/", "/api/v1/deployments",
                "/metrics", "/api/v1/events")) {
            HttpResponse<String> answer = get(path);
            assertThat(answer.statusCode()).as(path).isIn(200, 503);
        }
        assertThat(rearm).isNotDone();

        assertThat(run("fsfreeze", "-u", mount.toString())).isZero();
        frozen = false;
        assertThat(rearm.get().body()).contains("api-down");
    }

    private static boolean waitsInStateWrite(String threadPrefix) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(threadPrefix))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                        frame.getClassName().equals("io.rollguard.journal.StateDirectory")));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        // Bounded: an answer stuck behind the frozen disk fails the test instead of hanging it.
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path);
    }

    private static boolean onPath(String tool) {
        for (String entry : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(command));
        Process process = Subprocess.builder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor();
    }
}
