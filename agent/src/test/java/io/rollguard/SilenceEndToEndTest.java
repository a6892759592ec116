package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance, end to end: {@code rollguard silence} pauses a rule's rollback while its service is down on purpose;
 * every surface says so; the silence survives a restart; lifted, the rollback runs since the rule still fires. Only
 * a client with the token may silence.
 */
class SilenceEndToEndTest {
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer service;
    private Agent agent;
    private AgentHttp http;

    @TempDir
    Path dir;

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        service.start();
        http = new AgentHttp(() -> agent.httpAddress());
        Files.writeString(dir.resolve("token"), "s3cret-token\n");
        Files.setPosixFilePermissions(dir.resolve("token"), PosixFilePermissions.fromString("rw-------"));
        Path script = Files.writeString(dir.resolve("rollback.sh"), """
                #!/bin/sh
                echo "$ROLLGUARD_RULE" >> "%s"
                """.formatted(dir.resolve("runs.log")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        service.stop(0);
    }

    private Agent start() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                token_file = "token"

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/health"
                interval = "1s"
                timeout = "2s"

                [action.rollback]
                run = ["%s"]
                rollback = true

                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "1s"
                severity = "critical"
                action = "rollback"
                """.formatted(dir.resolve("state"), service.getAddress().getPort(), dir.resolve("rollback.sh")), dir));
        Agent started = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start();
        return started;
    }

    @Test
    void aSilencedRuleFiresWithoutRollingBackUntilTheSilenceIsLifted() throws Exception {
        agent = start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !agent.health().checks().isEmpty()
                && agent.health().checks().get(0).status().name().equals("UP"));

        // Without the token, nobody may silence, even from loopback.
        assertThat(http.send(HttpRequest.newBuilder(http.uri("/api/v1/silences"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"all\": true, \"for\": \"1h\"}"))).statusCode())
                .isEqualTo(401);
        assertThat(cli("silence", "api-down", "--for", "30m", "--comment", "db migration"))
                .startsWith("0 silenced api-down until ")
                .endsWith(" (db migration): its rollbacks wait, and run then if still firing; lift with: "
                        + "rollguard silence --lift api-down\n");
        assertThat(cli("silence", "no-such-rule", "--for", "30m"))
                .isEqualTo("2 rollguard: no rule named no-such-rule\n");
        assertThat(cli("silence", "api-down", "--for", "8d"))
                .startsWith("2 rollguard: for: a silence lasts from 1s to 7d");
        assertThat(cli("silence", "api-down"))
                .isEqualTo("2 rollguard: say for how long with --for, such as --for 30m\n");

        status.set(503);
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_skipped"));
        Event skipped = last("action_skipped");
        assertThat(skipped.fields()).containsEntry("result", "skipped_silenced").containsEntry("rule", "api-down");
        assertThat(Files.exists(dir.resolve("runs.log"))).isFalse();

        // Every surface says it: the rules API, /health/detailed, the status page, /metrics, status and silence.
        Map<String, Object> rules = JSON.std.mapFrom(http.body("/api/v1/rules"));
        assertThat(rules.toString()).contains("silenced={rule=api-down, since=", "comment=db migration}");
        assertThat(JSON.std.mapFrom(http.body("/health/detailed")).get("silences").toString())
                .contains("rule=api-down");
        assertThat(http.body("/")).contains("<span class=\"pill silenced\">silenced</span>",
                "<code>rollguard silence --lift api-down</code>");
        await().atMost(Duration.ofSeconds(30)).until(() -> http.body("/metrics")
                .contains("rollguard_rule_silenced{rule=\"api-down\"} 1"));
        assertThat(cli("status")).contains("  firing    api-down (critical): silenced until ",
                " (db migration), its rollback waits; lift with: rollguard silence --lift api-down\n");
        assertThat(cli("silence")).startsWith("0 api-down silenced until ").endsWith(" (db migration)\n");
        assertThat(cli("events", "--limit", "20")).containsPattern(" silence_started rules=api-down until=\\S+: db "
                + "migration\n").contains(
                " action_skipped rule=api-down{check=\"api\"} action=rollback result=skipped_silenced");

        // The silence is in state.json: a restart keeps it, and the rollback still waits.
        agent.close();
        agent = start();
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().stream().filter("action_skipped"::equals)
                .count() == 2);
        assertThat(Files.exists(dir.resolve("runs.log"))).isFalse();

        // Lifted, the rollback runs at the next tick: the rule still fires.
        assertThat(cli("silence", "--lift", "api-down")).isEqualTo("0 lifted the silence of api-down: its rollbacks "
                + "run again\n");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("runs.log")));
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_finished"));
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).containsExactly("api-down");
        assertThat(last("silence_ended").fields()).containsEntry("how", "lifted");
        assertThat(cli("silence")).isEqualTo("0 no silences: every rule's rollbacks run\n");
        assertThat(cli("events", "--limit", "20")).containsPattern(" silence_ended rules=api-down how=lifted until=");
    }

    @Test
    void aSilenceOfEveryRuleIsInTheHeaderAndLiftingOneRuleLeavesItHeld() throws Exception {
        agent = start();
        assertThat(cli("silence", "--all", "--for", "2h", "--comment", "failover drill")).startsWith(
                "0 silenced every rule until ").endsWith(" (failover drill): rollbacks wait, and run then if still "
                + "firing; lift with: rollguard silence --lift --all\n");
        assertThat(cli("silence", "--lift", "api-down")).startsWith("0 nothing was silenced\nstill silenced by the "
                + "silence of every rule until ").endsWith("(failover drill); lift it with: rollguard silence "
                + "--lift --all\n");
        assertThat(http.body("/")).contains("<b>Silenced</b>: every rule's rollbacks wait until ",
                "(failover drill); lift with <code>rollguard silence --lift --all</code>");
        assertThat(cli("status")).contains("  silenced: every rule's rollbacks wait until ");
        assertThat(cli("silence", "--lift", "--all")).isEqualTo("0 lifted the silence of every rule: its rollbacks "
                + "run again\n");
    }

    /** A CLI call with the token's configuration: its exit code, a space, what it printed (stdout, then stderr). */
    private String cli(String... args) throws IOException {
        Path config = dir.resolve("cli.toml");
        Files.writeString(config, "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort()
                + "\"\ntoken_file = \"token\"\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--config";
        full[args.length + 1] = config.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return exit + " " + out + err;
    }

    private List<String> kinds() {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }

    private Event last(String kind) {
        List<Event> matching = agent.events(0, 1000).stream().filter(e -> e.kind().equals(kind)).toList();
        return matching.get(matching.size() - 1);
    }
}
