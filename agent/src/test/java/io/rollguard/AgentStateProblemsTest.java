package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.FakeTime;
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
 * A damaged state.json blocks every rollback, and says so on every surface, not only in the log: a failing
 * {@code state} component in /health/detailed and /api/v1/rules, a reason at the top of the status page, and
 * {@code rollguard_state_ok{reason="damaged"} 0} on /metrics. Re-arming everything clears it.
 */
class AgentStateProblemsTest {
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aDamagedStateFileIsAFailingComponentEverywhereUntilReArmed() throws Exception {
        Path stateDir = Files.createDirectory(dir.resolve("state"));
        Files.writeString(stateDir.resolve("state.json"), "{\"latches\": ");
        agent = start(stateDir);
        agent.tick();

        Map<?, ?> state = (Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("state");
        assertThat(state.get("status")).isEqualTo("DOWN");
        Map<?, ?> problem = (Map<?, ?>) ((List<?>) state.get("problems")).get(0);
        assertThat(problem.get("reason")).isEqualTo("damaged");
        assertThat((String) problem.get("message")).contains(stateDir.resolve("state.json").toString(),
                "every rollback is blocked", "rollguard rearm");
        assertThat(((Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/rules")).get("state")).get("status")).isEqualTo("DOWN");
        assertThat(http.body("/")).contains("<section id=\"state\" class=\"problem\">", ">damaged</span>",
                "every rollback is blocked");
        assertThat(http.body("/metrics")).contains("rollguard_state_ok{reason=\"damaged\"} 0.0\n");

        HttpResponse<String> rearmed = http.send(HttpRequest.newBuilder(http.uri("/api/v1/rearm"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(rearmed.body()).contains("(state file)");
        time.advance(java.time.Duration.ofSeconds(5));
        agent.tick();

        assertThat(((Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("state")).get("status")).isEqualTo("UP");
        assertThat(http.body("/")).doesNotContain("id=\"state\"");
        assertThat(http.body("/metrics")).contains("\nrollguard_state_ok 1.0\n");
    }

    private Agent start(Path stateDir) throws Exception {
        Agent started = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(stateDir), dir)), time, List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start(false);
        return started;
    }
}
