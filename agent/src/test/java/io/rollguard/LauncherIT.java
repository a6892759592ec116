package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.testing.Subprocess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's way of running the agent: the shipped launcher script, the shaded jar, the shipped JVM flags, a
 * real child process. Runs in the integration-test phase, after the jar is packaged.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of(System.getProperty("rollguard.launcher", "../scripts/rollguard"));
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Process agent;

    @AfterEach
    void stopAgent() throws InterruptedException {
        if (agent != null && agent.isAlive()) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void runsServesAndStopsCleanlyOnSigterm() throws Exception {
        Path log = dir.resolve("agent.log");
        agent = start(log, "run", "--config", config().toString());
        int port = awaitPort(log);

        HttpResponse<String> health = get(port, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/metrics").body().contains("rollguard_cpu_cores"));

        agent.destroy(); // SIGTERM, as systemd stops it
        assertThat(agent.waitFor(15, TimeUnit.SECONDS)).as("stops within the bound").isTrue();
        assertThat(agent.exitValue()).as("143: terminated by SIGTERM after a clean shutdown").isEqualTo(143);
        String output = Files.readString(log);
        assertThat(output).contains("starting with configuration " + config(), "ready", "stopping", "stopped")
                .doesNotContain("Exception");
    }

    /** The README's first command, as a newcomer types it: no --config, no /etc/rollguard, the default port. */
    @Test
    void theReadmeCommandRunsTheEmbeddedDefaultOnPort9730() throws Exception {
        Assumptions.assumeFalse(Files.exists(Path.of("/etc/rollguard/rollguard.toml")),
                "this host has /etc/rollguard/rollguard.toml, which run would read instead: skipped");
        try (java.net.ServerSocket probe = new java.net.ServerSocket(9730)) {
            probe.close();
        } catch (IOException e) {
            Assumptions.abort("port 9730 is in use on this host: skipped");
        }
        boolean hostStateExisted = Files.exists(Path.of("/var/lib/rollguard"));
        Path log = dir.resolve("default.log");
        agent = start(log, "run");

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("ready"));
        assertThat(Files.readString(log)).contains("starting with configuration default.toml (embedded)",
                "listening on http://0.0.0.0:9730");
        assertThat(get(9730, "/health").body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(dir.resolve("systemd-state/events.jsonl")).as("the journal lives in $STATE_DIRECTORY").exists();
        if (!hostStateExisted) {
            assertThat(Path.of("/var/lib/rollguard")).as("the test wrote nothing on the host").doesNotExist();
        }
    }

    @Test
    void sighupReloadsTheFileAndABrokenFileKeepsTheAgentRunning() throws Exception {
        Assumptions.assumeTrue(Subprocess.resetsSignals() || !Subprocess.hangupIgnored(),
                "this JVM ignores SIGHUP (nohup) and env cannot reset it for the child: skipped");
        Path log = dir.resolve("agent.log");
        agent = start(log, "run", "--config", config().toString());
        int port = awaitPort(log);
        try (java.net.ServerSocket service = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(config(), Files.readString(config()) + "[[check]]\nname = \"service\"\ntype = \"tcp\"\n"
                    + "port = " + service.getLocalPort() + "\ninterval = \"1s\"\n");

            hangUp(agent);

            await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/api/v1/checks").body()
                    .contains("\"name\":\"service\""));
            assertThat(Files.readString(log)).contains("reloaded " + config() + ": 1 check added");

            Files.writeString(config(), "[agent]\nintervall = \"1s\"\n");
            hangUp(agent);

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains(
                    config() + ":2:1: agent.intervall: unknown key"));
            assertThat(agent.isAlive()).isTrue();
            assertThat(get(port, "/api/v1/checks").body()).contains("\"name\":\"service\"");
            await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/metrics").body()
                    .contains("rollguard_config_last_reload_successful 0"));
            assertThat(Files.readString(log)).doesNotContain("Exception");
        }
    }

    /**
     * The files that once stalled or killed a running agent on reload, against the shipped launcher's 32 MiB heap and
     * {@code -XX:+ExitOnOutOfMemoryError}: 300,000 keys (3.5 MB) ended in OutOfMemoryError, a megabyte of comments
     * kept the reload thread busy for minutes. Now the first is refused at once, the second parses, and the densest
     * file within the bounds leaves the agent alive.
     */
    @Test
    void hugeConfigurationsNeitherStallNorKillTheAgentOnReload() throws Exception {
        Path log = dir.resolve("agent.log");
        String valid = Files.readString(config());
        agent = start(log, "run", "--config", config().toString());
        int port = awaitPort(log);

        StringBuilder keys = new StringBuilder(valid).append("[keys]\n");
        for (int i = 0; i < 300_000; i++) {
            keys.append("k").append(i).append(" = 1\n");
        }
        Files.writeString(config(), keys);
        HttpResponse<String> huge = post(port, "/-/reload");
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("cannot read configuration: too large: 3.3 MiB");

        StringBuilder comments = new StringBuilder();
        while (comments.length() < 1000 * 1024) {
            comments.append("# an operator's long explanation of the check below, line after line\n");
        }
        Files.writeString(config(), comments + valid + "[[check]]\nname = \"after-comments\"\ntype = \"path\"\n"
                + "path = \"/\"\n");
        HttpResponse<String> commented = post(port, "/-/reload");
        assertThat(commented.body()).contains("\"status\":\"reloaded\"", "1 check added");

        StringBuilder dense = new StringBuilder(valid).append("dense = [");
        for (int i = 0; i < 9_990; i++) {
            dense.append("1,");
        }
        Files.writeString(config(), dense.append("1]\n"));
        for (int i = 0; i < 3; i++) {
            assertThat(post(port, "/-/reload").body()).contains("unknown key");
        }
        assertThat(agent.isAlive()).isTrue();
        assertThat(get(port, "/health").statusCode()).isEqualTo(200);
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }

    /**
     * A rollback script with the common cleanup line {@code trap 'kill 0' EXIT} signals its whole process group when
     * it ends. In a group of its own that is only the script; in the agent's group it would be the agent, whose
     * {@code action_finished} would never be written. The agent itself starts in a session of its own here, as
     * systemd starts a service, so that without the isolation the signal stops the agent and not this test's JVM.
     */
    @Test
    void aScriptThatKillsItsGroupLeavesTheAgentRunning() throws Exception {
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, "#!/bin/sh\ntrap 'kill 0' EXIT\nsleep 300 &\necho $! > " + dir.resolve("child.pid")
                + "\necho rolled back\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        int closed;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        Files.writeString(config(), Files.readString(config()) + """
                [[check]]
                name = "service"
                type = "tcp"
                port = %d
                interval = "1s"

                [[rule]]
                name = "service-down"
                when = 'check_up{check="service"} == 0'
                for = "1s"
                action = "rollback"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"
                """.formatted(closed, script));
        Path log = dir.resolve("agent.log");
        agent = start(log, List.of("setsid", "--wait"), "run", "--config", config().toString());
        int port = awaitPort(log);
        Path journal = dir.resolve("state/events.jsonl");

        await().atMost(Duration.ofSeconds(60)).until(() -> !agent.isAlive()
                || Files.exists(journal) && Files.readString(journal).contains("\"kind\":\"action_finished\""));

        assertThat(agent.isAlive()).as("the agent survives its script's kill 0: %s", Files.readString(log)).isTrue();
        assertThat(get(port, "/health").statusCode()).isIn(200, 503);
        assertThat(Files.readString(log)).contains("rollback: | rolled back");
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    /** Under nohup the JVM inherits an ignored SIGHUP and keeps it ignored: the log says so once, and what else works. */
    @Test
    void anIgnoredSighupIsLoggedAtStartWithTheAlternatives() throws Exception {
        Assumptions.assumeTrue(Subprocess.resetsSignals(), "env cannot set signal dispositions (coreutils < 8.31): skipped");
        Path log = dir.resolve("agent.log");
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString(), "run", "--config",
                config().toString()));
        ProcessBuilder builder = Subprocess.builderIgnoringHangup(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        environment(builder);
        agent = builder.start();
        awaitPort(log);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("ready"));

        assertThat(Files.readString(log).lines().filter(line -> line.contains("SIGHUP")))
                .singleElement().asString().endsWith("SIGHUP is ignored (started under nohup?): reload with "
                        + "`rollguard reload` or POST /-/reload");
        hangUp(agent);
        assertThat(agent.isAlive()).as("the ignored signal neither stops nor reloads it").isTrue();
    }

    /** As systemd starts it, SIGHUP reloads, and the log says nothing of it at the start. */
    @Test
    void aSighupAtItsDefaultIsNotMentionedAtStart() throws Exception {
        Assumptions.assumeTrue(Subprocess.resetsSignals() || !Subprocess.hangupIgnored(),
                "this JVM ignores SIGHUP (nohup) and env cannot reset it for the child: skipped");
        Path log = dir.resolve("agent.log");
        agent = start(log, "run", "--config", config().toString());
        awaitPort(log);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("ready"));

        assertThat(Files.readString(log)).doesNotContain("SIGHUP");
    }

    private static void hangUp(Process process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isEqualTo(0);
    }

    @Test
    void promtoolAcceptsTheMetrics() throws Exception {
        Assumptions.assumeTrue(onPath("promtool"),
                "promtool is not installed (Debian package prometheus; .ci/run installs it): skipped");
        Path log = dir.resolve("agent.log");
        agent = start(log, "run", "--config", config().toString());
        int port = awaitPort(log);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/metrics").body().contains("rollguard_filesystem"));
        Path metrics = Files.writeString(dir.resolve("metrics.txt"), get(port, "/metrics").body());

        Process promtool = new ProcessBuilder("promtool", "check", "metrics")
                .redirectInput(metrics.toFile()).redirectErrorStream(true).start();
        String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics said:%n%s", verdict).isEqualTo(0);
    }

    @Test
    void validateThroughTheLauncherExits2OnAMisspeltKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.toml"), "[agent]\nintervall = \"5s\"\n");
        Path log = dir.resolve("validate.log");

        Process validate = start(log, "validate", "--config", bad.toString());

        assertThat(validate.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(validate.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).isEqualTo(bad + ":2:1: agent.intervall: unknown key (did you mean "
                + "\"interval\"?); known keys in [agent]: interval, state_dir, log_level, dry_run, allow_insecure_permissions\n1 problem\n");
    }

    @Test
    void aBusyPortIsReportedInOneLineAndExits1() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Path file = Files.writeString(dir.resolve("busy.toml"),
                    "[agent]\nstate_dir = \"" + dir.resolve("busy-state") + "\"\n"
                    + "[http]\nlisten = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
            Path log = dir.resolve("busy.log");

            Process busy = start(log, "run", "--config", file.toString());

            assertThat(busy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(busy.exitValue()).isEqualTo(1);
            assertThat(Files.readString(log)).contains("cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use").doesNotContain("\tat ");
        }
    }

    private Path config() throws IOException {
        Path file = dir.resolve("rollguard.toml");
        if (!Files.exists(file)) {
            Files.writeString(file, "[agent]\ninterval = \"1s\"\nstate_dir = \"" + dir.resolve("state") + "\"\n"
                    + "[http]\nlisten = \"127.0.0.1:0\"\n");
        }
        return file;
    }

    /**
     * The launcher as systemd starts it: default signal dispositions (a suite under nohup ignores SIGHUP) and
     * {@code $STATE_DIRECTORY} in this test's directory, so the embedded default never writes /var/lib/rollguard.
     */
    private Process start(Path log, String... args) throws IOException {
        return start(log, List.of(), args);
    }

    /** @param prefix what runs the launcher, e.g. {@code setsid} for a session of its own as systemd gives it */
    private Process start(Path log, List<String> prefix, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = Subprocess.builder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        environment(builder);
        return builder.start();
    }

    private void environment(ProcessBuilder builder) {
        builder.environment().put("ROLLGUARD_JAR", System.getProperty("rollguard.jar", "target/rollguard.jar"));
        builder.environment().put("STATE_DIRECTORY", dir.resolve("systemd-state").toString());
        builder.environment().remove("JOURNAL_STREAM");
        builder.environment().remove("NOTIFY_SOCKET");
    }

    private int awaitPort(Path log) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(agent.isAlive()).as("agent died: %s", Files.readString(log)).isTrue();
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        }, port -> port > 0);
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean onPath(String tool) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }
}
