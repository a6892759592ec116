package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.time.TimeSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Ten-minute walkthrough" as written: its shell set-up run by sh, its configuration loaded, and every
 * command line of it in order, {@code /tmp/demo} standing for a temporary directory. The agent runs in this JVM (the
 * {@code run ... &} line), on port 0; the CLI commands reach it there. {@code sleep} waits, at most a minute, for
 * what the walkthrough says happens meanwhile: the rollback.
 */
class ReadmeWalkthroughTest {
    private static final Path README = Path.of("../README.md");

    @TempDir
    Path dir;

    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static List<String> blocks(String section) {
        List<String> blocks = new ArrayList<>();
        Matcher block = Pattern.compile("```(?:sh|toml)\\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }

    @Test
    void theWalkthroughWorksAsWritten() throws Exception {
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("## Ten-minute walkthrough"),
                readme.indexOf("## Footprint and speed"));
        List<String> blocks = blocks(section);
        assertThat(blocks).hasSize(3);
        String demo = dir.resolve("demo").toString();

        Process setup = new ProcessBuilder("sh", "-c", blocks.get(0).replace("/tmp/demo", demo))
                .redirectErrorStream(true).start();
        assertThat(new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(setup.waitFor()).isZero();
        Path config = Files.writeString(Path.of(demo, "demo.toml"), blocks.get(1).replace("/tmp/demo", demo));

        Map<String, String> outputs = new LinkedHashMap<>();
        Path cli = config;
        String incident = null;
        for (String line : blocks.get(2).lines().map(l -> l.replaceFirst("\\s+#.*$", "").strip()).toList()) {
            String command = line.replace("/tmp/demo", demo);
            if (command.startsWith("scripts/rollguard run ")) {
                String text = Files.readString(config).replace("127.0.0.1:9731", "127.0.0.1:0");
                agent = new Agent(ConfigLoader.parse(new ConfigSource(config.toString(), text, config.getParent())),
                        TimeSource.system(), List.of(), new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
                agent.start();
                // "Ready in a second", as the walkthrough says: its first tick has named the checks and rules.
                await().atMost(Duration.ofSeconds(60)).until(() -> !agent.health().rules().isEmpty()
                        && !agent.health().checks().isEmpty());
                // The CLI finds the agent by the configuration's [http] listen: a copy names the port it bound.
                cli = Files.writeString(dir.resolve("cli.toml"), text.replace("127.0.0.1:0",
                        "127.0.0.1:" + agent.httpAddress().getPort()));
            } else if (command.startsWith("rm ")) {
                Files.delete(Path.of(command.substring(3)));
            } else if (command.startsWith("sleep ")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_finished"));
            } else if (command.startsWith("scripts/rollguard ")) {
                String[] words = command.substring("scripts/rollguard ".length()).split("\\s+");
                for (int i = 0; i < words.length; i++) {
                    if (words[i].equals(config.toString()) && !words[0].equals("validate")) {
                        words[i] = cli.toString();
                    } else if (words[i].equals("ID")) {
                        words[i] = incident;
                    }
                }
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), words);
                assertThat(exit).as("%s exits 0; it said: %s%s", line, out, err).isZero();
                outputs.put(words[0] + (words.length > 1 && !words[1].startsWith("-") ? " " + words[1] : "")
                        + (outputs.containsKey("status") && words[0].equals("status") ? " after" : ""), out.toString());
                if (words[0].equals("incident") && words[1].equals("list")) {
                    incident = out.toString().split(" ", 2)[0];
                }
            } else {
                throw new AssertionError("a walkthrough line this test does not know: " + line);
            }
        }

        assertThat(outputs.get("validate")).isEqualTo(config + ": OK\n");
        assertThat(outputs.get("status")).contains("app-down", "inactive");
        assertThat(outputs.get("status after")).contains("app-down", "latched", "rolled_back", "rollguard incident show");
        assertThat(outputs.get("events")).contains("rule_firing", "action_started", "deployment_rolled_back");
        assertThat(outputs.get("incident list")).contains(" ok rule=app-down deployment=d1-", "(v2)");
        assertThat(outputs.get("incident show")).contains("rolling v2 back");
        assertThat(outputs.get("rearm app-down")).contains("app-down");
        assertThat(Path.of(demo, "app-up")).as("the rollback script brought the application back").exists();
    }

    private List<String> kinds() throws Exception {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }
}
