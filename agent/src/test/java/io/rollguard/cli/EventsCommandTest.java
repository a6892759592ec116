package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.time.TimeSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard events} against a real agent: what is journaled, and with --follow what is journaled next. */
class EventsCommandTest {
    @TempDir
    Path dir;

    @Test
    void followPrintsEventsAsTheyHappen() throws Exception {
        Path flag = Files.createFile(dir.resolve("ready"));
        try (Agent agent = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
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
                [[rule]]
                name = "flag-gone"
                when = 'check_up{check="flag"} == 0'
                """.formatted(dir.resolve("state"), flag), dir)), TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            agent.start();
            Path cli = Files.writeString(dir.resolve("cli.toml"),
                    "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort() + "\"\n");
            StringWriter out = new StringWriter();
            Thread follower = new Thread(() -> Main.execute(new PrintWriter(out, true),
                    new PrintWriter(new StringWriter(), true), "events", "--config", cli.toString(), "--follow"));
            follower.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.health().checks().get(0).status().name()
                        .equals("UP"));
                Files.delete(flag);

                await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains(" rule_firing rule=flag-gone"));
                assertThat(out.toString()).matches("(?s)\\d+ \\S+Z rule_firing rule=flag-gone\\{check=\"flag\"\\}: "
                        + "condition true, for=0s\\n");
            } finally {
                follower.interrupt();
                follower.join(10_000);
            }
        }
    }

    @Test
    void withoutSinceTheLimitIsTheNewestEventsAndWithSinceTheFirstOnesAfterIt() throws Exception {
        try (Agent agent = new Agent(ConfigLoader.parse(new ConfigSource(dir.resolve("gone.toml").toString(), """
                [agent]
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(dir.resolve("state")), dir)), TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            agent.start();
            for (int i = 0; i < 5; i++) {
                agent.reload(); // its file is gone: five config_reload_failed, ids 1 to 5
            }
            Path cli = Files.writeString(dir.resolve("cli.toml"),
                    "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort() + "\"\n");

            assertThat(ids(cli, "--limit", "2")).containsExactly("4", "5");
            assertThat(ids(cli, "--since", "1", "--limit", "2")).containsExactly("2", "3");
        }
    }

    private static List<String> ids(Path cli, String... options) {
        StringWriter out = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("events", "--config", cli.toString()));
        args.addAll(List.of(options));
        assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                args.toArray(String[]::new))).isZero();
        return out.toString().lines().map(line -> line.split(" ")[0]).toList();
    }

    @Test
    void eachLineNamesWhatTheEventIsAbout() {
        assertThat(EventsCommand.line(Map.of("id", 3, "time", "2026-11-22T03:04:05Z", "kind", "rule_rearmed",
                "rules", List.of("api-down", "disk-full")))).isEqualTo(
                "3 2026-11-22T03:04:05Z rule_rearmed rules=api-down,disk-full");
        assertThat(EventsCommand.line(Map.of("id", 4, "time", "2026-11-22T03:04:05Z", "kind", "deployment_started",
                "deployment_id", "d4-20261122T030405Z", "version", "v42"))).isEqualTo(
                "4 2026-11-22T03:04:05Z deployment_started version=v42 deployment_id=d4-20261122T030405Z");
        assertThat(EventsCommand.line(Map.of("id", 5, "time", "2026-11-22T03:04:05Z", "kind", "action_interrupted",
                "rule", "api-down", "labels", Map.of("check", "api"), "action", "rollback", "result", "interrupted",
                "incident", "20261122T030405Z-2", "message", "the agent stopped"))).isEqualTo(
                "5 2026-11-22T03:04:05Z action_interrupted rule=api-down{check=\"api\"} action=rollback "
                        + "result=interrupted incident=20261122T030405Z-2: the agent stopped");
    }

    @Test
    void aReloadShowsItsSummaryAndAFailedOneItsMessage() {
        assertThat(EventsCommand.line(Map.of("id", 7, "time", "2026-11-22T03:04:05Z", "kind", "config_reloaded",
                "summary", "1 check added"))).isEqualTo("7 2026-11-22T03:04:05Z config_reloaded: 1 check added");
        assertThat(EventsCommand.line(Map.of("id", 8, "time", "2026-11-22T03:04:06Z", "kind", "config_reload_failed",
                "message", "reload of x.toml failed with 1 problem"))).isEqualTo(
                "8 2026-11-22T03:04:06Z config_reload_failed: reload of x.toml failed with 1 problem");
    }

    @Test
    void withoutAnAgentItSaysWhereItLookedAndExits1() throws Exception {
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:1\"\n");
        StringWriter err = new StringWriter();

        assertThat(Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "events",
                "--config", cli.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rollguard: no agent answers at http://127.0.0.1:1 (is `rollguard run` "
                + "running with this configuration?)\n");
    }
}
