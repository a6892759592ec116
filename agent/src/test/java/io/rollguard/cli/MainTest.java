package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void validateAcceptsAGoodFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\ninterval = \"10s\"\n");

        assertThat(run("validate", "--config", file.toString())).isEqualTo(0);
        assertThat(out.toString()).isEqualTo(file + ": OK\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void validateReportsEveryProblemWithItsPositionAndExits2(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), """
                [agent]
                intreval = "10s"
                log_level = "loud"
                [http]
                listen = "0.0.0.0:9730"
                """);

        assertThat(run("validate", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(
                file + ":2:1: agent.intreval: unknown key (did you mean \"interval\"?); known keys in [agent]: "
                        + "interval, state_dir, log_level, dry_run, allow_insecure_permissions\n"
                        + file + ":3:1: agent.log_level: expected one of \"error\", \"warn\", \"info\", \"debug\", "
                        + "\"trace\", got \"loud\"\n"
                        + "2 problems\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void validateRefusesAFileOthersCanWriteAndSaysHowToFixIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\ninterval = \"10s\"\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThat(run("validate", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(file + ": refusing to load config file " + file
                + ": it is writable by its group and others; fix with: chmod go-w " + file + "\n1 problem\n");
    }

    @Test
    void validateWarnsAboutWhatAllowInsecurePermissionsLetsThrough(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\nallow_insecure_permissions = true\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));

        assertThat(run("validate", "--config", file.toString())).isEqualTo(0);
        assertThat(out.toString()).isEqualTo(file + ": OK\n");
        assertThat(err.toString()).isEqualTo("warning: would refuse to load config file " + file
                + ": it is writable by its group; fix with: chmod g-w " + file
                + " (allowed by [agent] allow_insecure_permissions)\n");
    }

    @Test
    void validateOfAMissingFileSaysSoWithoutAStackTrace(@TempDir Path dir) {
        assertThat(run("validate", "--config", dir.resolve("absent.toml").toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(dir.resolve("absent.toml") + ": cannot read configuration: no such file\n"
                + "1 problem\n");
    }

    @Test
    void validateWithoutAFileIsAUsageError() {
        assertThat(run("validate")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void runWithABadConfigurationExits2BeforeStartingAnything(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.toml"), "[http]\nlisten = \"nowhere\"\n");

        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith(file + ":2:1: http.listen: expected host:port");
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(run("--version")).isEqualTo(0);
        assertThat(out.toString()).isEqualTo("rollguard " + Version.current() + "\n");
        assertThat(Version.current()).doesNotContain("${").isNotEqualTo("unknown");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out.toString()).contains("run", "validate", "Usage: rollguard");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("deploi")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'deploi'");
    }
}
