package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard deploy} without an agent: usage errors exit 2, an agent that does not answer 1. */
class DeployCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void deployWithoutASubcommandPrintsItsUsage() {
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(err.toString()).contains("start", "finish", "status");
    }

    @Test
    void startWithoutAVersionIsAUsageError() {
        assertThat(run("deploy", "start")).isEqualTo(2);
        assertThat(err.toString()).contains("--version");
    }

    @Test
    void noAgentListeningIsAFailureInWords(@TempDir Path dir) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        Path config = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:" + port + "\"\n");

        assertThat(run("deploy", "status", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("rollguard: no agent answers at http://127.0.0.1:" + port);
    }

    @Test
    void aBadConfigurationIsAUsageError(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("bad.toml"), "[deploy]\nwatch = \"never\"\n");

        assertThat(run("deploy", "finish", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("deploy.watch");
    }
}
