package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.scripts.Script.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/rollback/symlink.sh} against a fake releases tree, a fake restart command and a real HTTP server. */
class SymlinkRollbackScriptTest {
    @TempDir
    Path dir;

    private Path app;
    private Path restarts;
    private Path restart;
    private HttpServer health;
    private final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void releasesTree() throws IOException {
        app = dir.resolve("app");
        // Version order, not text order: 1.9.0 comes before 1.10.0, and 1.2.0 before both.
        for (String version : new String[] {"1.2.0", "1.9.0", "1.10.0", "1.11.0"}) {
            Files.createDirectories(app.resolve("releases").resolve(version));
        }
        Files.writeString(app.resolve("releases/not-a-release.txt"), "a file, not a release\n");
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/1.10.0"));
        restarts = dir.resolve("restarts.log");
        restart = Script.executable(dir.resolve("bin/fake-restart"), "echo \"restart $*\" >> '" + restarts + "'\n");
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        health.start();
    }

    @AfterEach
    void stop() {
        health.stop(0);
    }

    @Test
    void switchesToThePreviousReleaseRestartsAndWaitsForHealth() throws Exception {
        Result result = symlink().env("ROLLGUARD_RULE", "api-down").env("ROLLGUARD_EVENT_ID", "17")
                .run("--app-dir", app.toString(), "--health-url", healthUrl(), "--timeout", "10",
                        "--restart-cmd", restart.toString(), "app.service");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.9.0"));
        assertThat(Files.readAllLines(restarts)).containsExactly("restart app.service");
        assertThat(result.output()).contains("rule api-down, event 17",
                "switched " + app.resolve("current") + " from releases/1.10.0 to releases/1.9.0",
                "restarting: " + restart + " app.service", healthUrl() + " answers 200", "rolled back to 1.9.0");
        try (var entries = Files.list(app)) {
            assertThat(entries.map(p -> p.getFileName().toString())).as("no temporary link left")
                    .containsExactlyInAnyOrder("current", "releases");
        }
    }

    @Test
    void serviceRestartsThroughSystemctlByDefault() throws Exception {
        Path bin = dir.resolve("fake-systemctl");
        Script.executable(bin.resolve("systemctl"), "echo \"systemctl $*\" >> '" + restarts + "'\n");

        Result result = symlink().pathFirst(bin).run("--app-dir", app.toString(), "--service", "backend");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readAllLines(restarts)).containsExactly("systemctl restart backend");
    }

    @Test
    void toPicksTheRelease() throws Exception {
        Result result = symlink().run("--app-dir", app.toString(), "--to", "1.2.0");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.2.0"));
        assertThat(result.output()).contains("not restarting anything");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Result result = symlink().run("--app-dir", app.toString(), "--dry-run", "--health-url", healthUrl(),
                "--restart-cmd", restart.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.10.0"));
        assertThat(restarts).doesNotExist();
        assertThat(result.output()).contains("would switch " + app.resolve("current")
                + " from releases/1.10.0 to releases/1.9.0", "would run: " + restart, "dry run: nothing changed");
    }

    @Test
    void noOlderReleaseFails() throws Exception {
        Files.delete(app.resolve("current"));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/1.2.0"));

        Result result = symlink().run("--app-dir", app.toString(), "--restart-cmd", restart.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: no release older than 1.2.0");
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.2.0"));
        assertThat(restarts).doesNotExist();
    }

    @Test
    void aHealthUrlThatNeverAnswers200Fails() throws Exception {
        status.set(503);

        Result result = symlink().run("--app-dir", app.toString(), "--health-url", healthUrl(), "--timeout", "1",
                "--restart-cmd", restart.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: " + healthUrl()
                + " did not answer 200 within 1s (last answer: 503)");
    }

    @Test
    void aHealthUrlNobodyListensOnFails() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }

        Result result = symlink().run("--app-dir", app.toString(), "--timeout", "0",
                "--health-url", "http://127.0.0.1:" + closed + "/health");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("did not answer 200 within 0s (last answer: 000)");
    }

    @Test
    void aFailingRestartFails() throws Exception {
        Path failing = Script.executable(dir.resolve("bin/failing-restart"), "echo cannot restart; exit 3\n");

        Result result = symlink().run("--app-dir", app.toString(), "--restart-cmd", failing.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("cannot restart", "rollback failed: the restart command exited with status 3");
    }

    /** A second run for the same deployment must not go back one release further. */
    @Test
    void aDeploymentAlreadyRolledBackKeepsTheLink() throws Exception {
        Result result = symlink().env("ROLLGUARD_DEPLOYMENT_VERSION", "1.11.0")
                .run("--app-dir", app.toString(), "--restart-cmd", restart.toString(), "app");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.10.0"));
        assertThat(result.output()).contains("current is 1.10.0, not the deployed 1.11.0: already rolled back");
        assertThat(Files.readAllLines(restarts)).containsExactly("restart app");
    }

    @Test
    void theDeployedReleaseIsRolledBack() throws Exception {
        Result result = symlink().env("ROLLGUARD_DEPLOYMENT_VERSION", "1.10.0").run("--app-dir", app.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/1.9.0"));
    }

    @Test
    void currentMustBeASymbolicLink() throws Exception {
        Files.delete(app.resolve("current"));
        Files.createDirectory(app.resolve("current"));

        Result result = symlink().run("--app-dir", app.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("is not a symbolic link");
    }

    private String healthUrl() {
        return "http://127.0.0.1:" + health.getAddress().getPort() + "/health";
    }

    private static Script symlink() {
        return Script.of("rollback/symlink.sh");
    }
}
