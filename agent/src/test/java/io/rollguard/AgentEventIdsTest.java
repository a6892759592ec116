package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.TimeSource;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event ids never go backwards: with events.jsonl emptied (or replaced) while state.json still refers to events 4 and
 * 26, the real agent gives its next event an id above 26, so a client polling {@code ?since=26} sees it.
 */
class AgentEventIdsTest {
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());

    @TempDir
    Path dir;

    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void theNextEventIsAboveEveryIdTheStateFileMentions() throws Exception {
        Path stateDir = Files.createDirectory(dir.resolve("state"));
        Files.writeString(stateDir.resolve("state.json"), """
                {"latches": {"api-down": {"action": "rollback", "at": "2026-12-01T00:00:00Z", "event_id": 4},
                             "errors-high": {"action": "rollback", "at": "2026-12-01T00:10:00Z", "event_id": 26}},
                 "rollback_starts": ["2026-12-01T00:00:00Z", "2026-12-01T00:10:00Z"]}
                """);
        Files.createFile(stateDir.resolve("events.jsonl"));
        agent = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(stateDir), dir)), TimeSource.system(), List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();

        HttpResponse<String> started = http.send(HttpRequest.newBuilder(http.uri("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"v2\"}")));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);

        Map<?, ?> events = JSON.std.mapFrom(http.send(HttpRequest.newBuilder(http.uri("/api/v1/events?since=26"))).body());
        assertThat((List<?>) events.get("events")).isNotEmpty().allSatisfy(event ->
                assertThat(((Number) ((Map<?, ?>) event).get("id")).longValue()).isGreaterThan(26));
        assertThat(events.toString()).contains("deployment_started");
        assertThat(Files.readString(stateDir.resolve("events.jsonl"))).startsWith("{\"id\":27,");
    }
}
