package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.time.TimeSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard status} against a real agent: healthy, then after a rollback, as text and as JSON. */
class StatusCommandTest {
    @TempDir
    Path dir;

    @Test
    void oneScreenSaysWhatIsWrongWhatRanAndWhatToDoNext() throws Exception {
        Path flag = Files.createFile(dir.resolve("ready"));
        Path script = Files.writeString(dir.resolve("rollback.sh"), "#!/bin/sh\necho rolled back\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
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
                critical = true
                [action.rollback]
                run = ["%s"]
                rollback = true
                [[rule]]
                name = "flag-gone"
                when = 'check_up{check="flag"} == 0'
                severity = "critical"
                action = "rollback"
                """.formatted(dir.resolve("state"), flag, script), dir)), TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            agent.start();
            Path cli = Files.writeString(dir.resolve("cli.toml"),
                    "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort() + "\"\n");
            // The check's result first, then the rule's evaluation on it: both before the screen is judged.
            await().atMost(Duration.ofSeconds(30)).until(() -> status(cli).contains("UP      flag")
                    && status(cli).contains("inactive  flag-gone"));
            StringWriter healthy = new StringWriter();
            assertThat(Main.execute(new PrintWriter(healthy, true), new PrintWriter(new StringWriter(), true),
                    "status", "--config", cli.toString())).isZero();
            assertThat(healthy.toString()).contains(": UP, up ", "checks (1)\n  UP      flag", "(critical)",
                    "rules (1)\n  inactive  flag-gone (critical)\n", "deployment\n  none\n", "last incident\n  none\n")
                    .doesNotContain("why:");

            Files.delete(flag);
            await().atMost(Duration.ofSeconds(60)).until(() -> status(cli).contains("last incident\n  2"));

            StringWriter out = new StringWriter();
            assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                    "status", "--config", cli.toString())).as("DOWN").isEqualTo(1);
            assertThat(out.toString()).contains(": DOWN, up ", "  why: check flag fails: ",
                    "  why: rule flag-gone{check=\"flag\"} (critical) fires: ", "  DOWN    flag ",
                    "  firing    flag-gone (critical): rolled back, latched; runs again only after: rollguard rearm "
                            + "flag-gone\n", " ok, rule flag-gone, started ", ": rollguard incident show 2");

            StringWriter json = new StringWriter();
            assertThat(Main.execute(new PrintWriter(json, true), new PrintWriter(new StringWriter(), true),
                    "status", "--config", cli.toString(), "--json")).isEqualTo(1);
            Map<String, Object> both = JSON.std.mapFrom(json.toString());
            assertThat(((Map<?, ?>) both.get("health")).get("status")).isEqualTo("DOWN");
            assertThat(((Map<?, ?>) both.get("last_incident")).get("rule")).isEqualTo("flag-gone");
        }
    }

    @Test
    void withoutAnAgentItSaysWhereItLookedAndExits1() throws Exception {
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:1\"\n");
        StringWriter err = new StringWriter();

        assertThat(Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "status",
                "--config", cli.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("rollguard: no agent answers at http://127.0.0.1:1");
    }

    @Test
    void aDryRunAgentSaysSoAtTheTop() {
        assertThat(StatusCommand.render(Map.of("status", "UP", "version", "1", "config", "x.toml", "uptime_seconds", 5,
                "dry_run", true), null)).startsWith("rollguard 1: UP, up 5s, config x.toml\n"
                + "  dry run: no action runs; each says what it would do ([agent] dry_run)\n");
    }

    @Test
    void uptimeReadsAsAPersonWouldSayIt() {
        assertThat(StatusCommand.uptime(42)).isEqualTo("42s");
        assertThat(StatusCommand.uptime(7530)).isEqualTo("2h 5m");
        assertThat(StatusCommand.uptime(2 * 86400 + 3 * 3600)).isEqualTo("2d 3h");
    }

    private static String status(Path cli) {
        StringWriter out = new StringWriter();
        Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "status", "--config",
                cli.toString());
        return out.toString();
    }
}
