package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.time.TimeSource;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An application cannot write the agent's log: a newline in a label value it exposes, or in what a rollback script
 * prints, reaches the log and {@code ROLLGUARD_LABELS} escaped, on the line of the event that carries it.
 */
class ForgedLogLinesEndToEndTest {
    private static final String FORGED = "2026-01-01T00:00:00Z INFO  Responder: rule broken firing -> inactive";

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private HttpServer app;
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (app != null) {
            app.stop(0);
        }
        root.detachAppender(logged);
    }

    @Test
    void labelValuesAndProgramOutputAreEscapedInTheLogAndTheEnvironment() throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/metrics", exchange -> {
            // The exposition format's own escape: the scraped value holds a real newline.
            byte[] body = ("# TYPE app_broken gauge\napp_broken{path=\"/x\\n" + FORGED + "\"} 1\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, """
                #!/bin/sh
                printf '%%s' "$ROLLGUARD_LABELS" > "%s"
                printf 'done\\r%s\\n'
                printf '\\033[2Jcleared\\n'
                """.formatted(dir.resolve("labels.txt"), FORGED));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[source]]
                name = "app"
                type = "scrape"
                url = "http://127.0.0.1:%d/metrics"
                metrics = ["app_broken"]
                interval = "1s"
                timeout = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"

                [[rule]]
                name = "broken"
                when = 'app_broken > 0'
                for = "1s"
                action = "rollback"
                """.formatted(dir.resolve("state"), app.getAddress().getPort(), script), dir));
        logged.start();
        root.addAppender(logged);
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> messages().stream()
                .anyMatch(line -> line.startsWith("rollback: exit 0")));

        assertThat(Files.readString(dir.resolve("labels.txt")))
                .isEqualTo("{path=\"/x\\n" + FORGED + "\",source=\"app\"}");
        assertThat(messages()).allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r", "\u001b"));
        assertThat(messages()).contains("rollback: | done\\r" + FORGED, "rollback: | \\u001b[2Jcleared")
                .anyMatch(line -> line.startsWith(
                        "rule broken{path=\"/x\\n" + FORGED + "\",source=\"app\"} pending -> firing"));
    }

    private List<String> messages() {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
