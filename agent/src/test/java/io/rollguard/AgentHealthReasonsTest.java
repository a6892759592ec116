package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} DOWN always says why: each critical check that fails and each critical rule that fires is a reason
 * in {@code /health/detailed} and in the status page's header, and a warning rule is none.
 */
class AgentHealthReasonsTest {
    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void everyReasonForDownIsNamed() throws Exception {
        Path flag = dir.resolve("ready");
        agent = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [[check]]
                name = "flag"
                type = "path"
                path = "%s"
                interval = "1s"
                [[check]]
                name = "flag-critical"
                type = "path"
                path = "%s"
                interval = "1s"
                critical = true
                [[rule]]
                name = "flag-gone"
                when = 'check_up{check="flag"} == 0'
                severity = "critical"
                [[rule]]
                name = "flag-gone-warning"
                when = 'check_up{check="flag"} == 0'
                """.formatted(dir.resolve("state"), flag, flag), dir)), time, List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start(false);
        Files.createFile(flag);
        agent.tick();
        // The first runs land before the next tick, so that none is still in flight when it comes.
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.health().checks().stream()
                .allMatch(check -> check.status().name().equals("UP")));
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(http.body("/health/detailed")).get("reasons")).isEqualTo(List.of());

        Files.delete(flag);
        time.advance(Duration.ofSeconds(1));
        agent.tick(); // the checks run on their workers; their results re-evaluate the rules as they land
        await().atMost(Duration.ofSeconds(30)).until(() -> ((List<?>) JSON.std.mapFrom(http.body("/health/detailed"))
                .get("reasons")).size() == 2);

        assertThat(http.get("/health").statusCode()).isEqualTo(503);
        Map<String, Object> detailed = JSON.std.mapFrom(http.body("/health/detailed"));
        assertThat(detailed.get("status")).isEqualTo("DOWN");
        assertThat((List<?>) detailed.get("reasons")).hasSize(2).satisfiesExactly(
                check -> assertThat((String) check).startsWith("check flag-critical fails: ").contains("does not exist"),
                rule -> assertThat((String) rule).startsWith("rule flag-gone{check=\"flag\"} (critical) fires: "));
        assertThat(http.body("/")).contains("<ul class=\"why\"><li>check flag-critical fails: ",
                "<li>rule flag-gone{check=&quot;flag&quot;} (critical) fires: ").doesNotContain("flag-gone-warning{");
    }
}
