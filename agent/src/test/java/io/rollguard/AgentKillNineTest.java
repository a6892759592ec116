package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.cli.Main;
import io.rollguard.testing.Subprocess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real agent JVM while its rollback script runs, then a restart on the same configuration: the journal
 * loads (a line torn by the kill is cut off and reported), state.json is whole, and the rollback that had started is
 * never run again.
 */
class AgentKillNineTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** Every agent JVM this test started, ended by its handle, and the orphaned script, ended by the pid it wrote. */
    private final List<Process> agents = new ArrayList<>();

    @AfterEach
    void endEverythingStarted() throws Exception {
        for (Process agent : agents) {
            if (agent.isAlive()) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path pidFile = dir.resolve("script.pid");
        if (Files.exists(pidFile)) {
            for (String line : Files.readAllLines(pidFile)) {
                ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aRollbackStartedBeforeAKillNineIsNeverRunAgainAfterTheRestart() throws Exception {
        Path config = config();

        Path firstLog = dir.resolve("first.log");
        Process first = startAgent(config, firstLog);
        await().atMost(Duration.ofSeconds(60))
                .failFast("the agent exited", () -> !first.isAlive())
                .until(() -> Files.exists(dir.resolve("script.pid")) && lines(dir.resolve("starts.log")) == 1);
        long scriptPid = Long.parseLong(Files.readString(dir.resolve("script.pid")).trim());
        assertThat(ProcessHandle.of(scriptPid).map(ProcessHandle::isAlive)).as("the script runs").contains(true);

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no last write
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(firstLog)).isEqualTo(137);

        // state.json was replaced atomically before the script started: whole, and it holds the latch.
        Map<String, Object> state = JSON.std.mapFrom(Files.readString(dir.resolve("state/state.json")));
        assertThat(state.get("latches").toString()).contains("api-down", "action=rollback");
        assertThat(state.get("latches").toString()).as("marked running until it ends").contains("running=true");
        Path journal = dir.resolve("state/events.jsonl");
        List<String> before = Files.readAllLines(journal);
        assertThat(before).anyMatch(line -> line.contains("\"kind\":\"action_started\""));
        // What a kill inside a write leaves: half a line with no newline.
        Files.writeString(journal, "{\"id\":" + (before.size() + 1) + ",\"time\":\"2026-", StandardOpenOption.APPEND);

        Path secondLog = dir.resolve("second.log");
        Process second = startAgent(config, secondLog);
        int port = awaitPort(second, secondLog);

        // The restarted agent sees the rule fire again and keeps the rollback latched, tick after tick.
        await().atMost(Duration.ofSeconds(60)).until(() -> lines(dir.resolve("starts.log")) > 1
                || get(port, "/api/v1/events?limit=1000").contains("\"result\":\"skipped_latched\""));
        await().atMost(Duration.ofSeconds(60)).until(() -> failuresOfTheCheck(port) >= 3);
        String rules = get(port, "/api/v1/rules");
        assertThat(rules).contains("\"name\":\"api-down\"", "\"state\":\"firing\"", "\"latched\":true");
        assertThat(Files.readAllLines(dir.resolve("starts.log"))).as("the script's starts").hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("script.pid"))).hasSize(1);
        // Neither run again nor stopped: the script the killed agent started goes on by itself.
        assertThat(ProcessHandle.of(scriptPid).map(ProcessHandle::isAlive)).contains(true);

        // The journal loaded: the torn line was cut off with a warning, and ids go on from the last whole line.
        String log = Files.readString(secondLog);
        assertThat(log).contains("journal: " + journal + ":").contains("removed the last line")
                .contains("rollbacks latched from before the restart: api-down").doesNotContain("\tat ");
        String events = get(port, "/api/v1/events?limit=1000");
        assertThat(events).contains("\"id\":" + (before.size() + 1) + ",");

        // The rollback the killed agent never saw end is reported once, at the restart, with its incident.
        assertThat(events.split("\"kind\":\"action_interrupted\"", -1)).hasSize(2);
        Map<String, Object> interrupted = JSON.std.mapFrom(Files.readAllLines(journal).stream()
                .filter(line -> line.contains("\"kind\":\"action_interrupted\"")).findFirst().orElseThrow());
        assertThat(interrupted).containsEntry("rule", "api-down").containsEntry("action", "rollback")
                .containsEntry("result", "interrupted");
        assertThat((String) interrupted.get("message")).contains("whether it completed is unknown",
                "rollguard rearm api-down");
        String incident = get(port, "/api/v1/incidents/" + interrupted.get("incident"));
        assertThat(incident).contains("\"outcome\":\"interrupted\"", "\"rule\":\"api-down\"");
        assertThat(log).contains("rollback rollback for api-down was interrupted");
        assertThat(Files.readString(dir.resolve("state/state.json"))).as("reported once: no longer running")
                .doesNotContain("\"running\"");
        List<String> after = Files.readAllLines(journal);
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        for (String line : after) {
            assertThat(JSON.std.mapFrom(line)).as(line).containsKeys("id", "time", "kind");
        }
    }

    private Path config() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path script = dir.resolve("rollback.sh");
        // Records its start and its pid, then blocks the way a long rollback does.
        Files.writeString(script, """
                #!/bin/sh
                echo $$ >> "%s"
                echo "started for event $ROLLGUARD_EVENT_ID" >> "%s"
                exec sleep 600
                """.formatted(dir.resolve("script.pid"), dir.resolve("starts.log")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return Files.writeString(dir.resolve("rollguard.toml"), """
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
                timeout = "10m"

                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "0s"
                severity = "critical"
                action = "rollback"
                """.formatted(dir.resolve("state"), closedPort, script));
    }

    private Process startAgent(Path config, Path log) throws IOException {
        ProcessBuilder builder = Subprocess.builder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().remove("JOURNAL_STREAM");
        Process agent = builder.start();
        agents.add(agent);
        return agent;
    }

    private static int awaitPort(Process agent, Path log) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(agent.isAlive()).as("agent died: %s", Files.readString(log)).isTrue();
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        }, port -> port > 0);
    }

    private static long failuresOfTheCheck(int port) throws IOException, InterruptedException {
        Map<String, Object> checks = JSON.std.mapFrom(get(port, "/api/v1/checks"));
        Map<?, ?> api = (Map<?, ?>) ((List<?>) checks.get("checks")).get(0);
        return ((Number) api.get("failures_total")).longValue();
    }

    private static long lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).size() : 0;
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
