package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise for the symlink pattern: {@code scripts/rollback/symlink.sh}, unmodified, as the rollback of a
 * real agent. A marker file's check fails, the rule fires, the script switches the fixture's release link back,
 * restarts (a fake restart command) and waits for a real health URL.
 */
class SymlinkRollbackAgentTest {
    @TempDir
    Path dir;

    private HttpServer health;
    private Agent agent;

    @BeforeEach
    void service() throws IOException {
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        health.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        health.stop(0);
    }

    @Test
    void aFiringRuleSwitchesTheReleaseBack() throws Exception {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("releases/2.3.0"));
        Files.createDirectories(app.resolve("releases/2.4.0"));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/2.4.0"));
        Path healthy = Files.writeString(dir.resolve("healthy"), "ok\n");
        Path restarts = dir.resolve("restarts.log");
        Path restart = Script.executable(dir.resolve("bin/restart"),
                "echo \"restart $* after $ROLLGUARD_RULE\" >> '" + restarts + "'\n");
        Path script = Script.SCRIPTS.resolve("rollback/symlink.sh");
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "app"
                type = "path"
                path = "%s"
                interval = "1s"

                [action.rollback]
                run = ["%s", "--app-dir", "%s", "--health-url", "http://127.0.0.1:%d/health", "--timeout", "30",
                       "--restart-cmd", "%s", "app.service"]
                rollback = true
                timeout = "1m"

                [[rule]]
                name = "app-down"
                when = 'check_up{check="app"} == 0'
                severity = "critical"
                action = "rollback"
                """.formatted(dir.resolve("state"), healthy, script, app, health.getAddress().getPort(), restart),
                dir));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !agent.health().checks().isEmpty()
                && agent.health().checks().get(0).status().name().equals("UP"));

        Files.delete(healthy);

        await().atMost(Duration.ofSeconds(60)).until(() -> finished() != null);
        Event finished = finished();
        assertThat(finished.fields()).as("%s", finished.fields()).containsEntry("result", "ok")
                .containsEntry("exit_code", 0L);
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/2.3.0"));
        assertThat(Files.readAllLines(restarts)).containsExactly("restart app.service after app-down");
        assertThat((String) finished.fields().get("output")).contains("rule app-down",
                "from releases/2.4.0 to releases/2.3.0", "answers 200", "rolled back to 2.3.0");
    }

    private Event finished() throws IOException {
        return agent.events(0, 1000).stream().filter(e -> e.kind().equals("action_finished")).findFirst()
                .orElse(null);
    }
}
