package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code rollguard check} as a deploy script runs it: real checks, its three formats, its exit codes. */
class CheckCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path config;

    @TempDir
    Path dir;

    @BeforeEach
    void writeConfig() throws IOException {
        config = Files.writeString(dir.resolve("rollguard.toml"), """
                [[check]]
                name = "state-dir"
                type = "path"
                path = "%s"
                expect = ["dir", "writable"]
                tags = ["pre-deploy"]

                [[check]]
                name = "migrations"
                type = "command"
                run = ["sh", "-c", "echo 'pending: 2'; exit 1"]
                tags = ["post-deploy"]

                [[check]]
                name = "version"
                type = "command"
                run = ["echo", "tool 3.11.2"]
                expect_version = ">=3.10"
                tags = ["pre-deploy"]
                """.formatted(dir));
    }

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void printsAChecklistAndExits1WhenAnyFails() {
        assertThat(run("check", "--config", config.toString())).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("""
                PASS  state-dir   %s is a directory
                FAIL  migrations  exit 1 (expected 0): pending: 2
                PASS  version     exit 0, version 3.11.2 (needs >=3.10)
                2 passed, 1 failed
                """.formatted(dir));
        assertThat(err.toString()).isEmpty();
    }

    /** A single run cannot follow a log from its end: it counts what the end of the file holds, and says so. */
    @Test
    void aLogCheckCountsTheMatchesAtTheEndOfTheFile() throws IOException {
        Path log = Files.writeString(dir.resolve("app.log"), "INFO up\nTraceback (most recent call last):\n");
        Path logConfig = Files.writeString(dir.resolve("log.toml"), """
                [[check]]
                name = "app-errors"
                type = "log"
                path = "%s"
                pattern = "ERROR|Traceback"
                """.formatted(log));

        assertThat(run("check", "--config", logConfig.toString())).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("""
                FAIL  app-errors  %s: 1 matching line in the whole file (43 B) (max 0); \
                last: "Traceback (most recent call last):"; a single run reads the end of the file, not a time window
                0 passed, 1 failed
                """.formatted(log));
    }

    @Test
    void aTagSelectsTheGateAndExits0WhenAllPass() {
        assertThat(run("check", "--config", config.toString(), "--tag", "pre-deploy")).isEqualTo(0);
        assertThat(out.toString()).endsWith("2 passed, 0 failed\n").doesNotContain("migrations");
    }

    @Test
    void onlySelectsByName() {
        assertThat(run("check", "-c", config.toString(), "--only", "version")).isEqualTo(0);
        assertThat(out.toString()).startsWith("PASS  version").endsWith("1 passed, 0 failed\n");
    }

    @Test
    void jsonIsForPrograms() throws IOException {
        assertThat(run("check", "-c", config.toString(), "--format", "json")).isEqualTo(1);

        Map<String, Object> body = JSON.std.mapFrom(out.toString());
        assertThat(body).containsEntry("passed", 2).containsEntry("failed", 1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) body.get("checks");
        assertThat(checks.get(1)).containsEntry("name", "migrations").containsEntry("type", "command")
                .containsEntry("ok", false).containsEntry("message", "exit 1 (expected 0): pending: 2")
                .containsEntry("value", null).containsKey("duration_ms");
    }

    @Test
    void junitIsForCiServers() {
        assertThat(run("check", "-c", config.toString(), "--format", "junit")).isEqualTo(1);

        assertThat(out.toString()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"rollguard\""
                + " tests=\"3\" failures=\"1\" errors=\"0\"")
                .contains("<testcase classname=\"rollguard.command\" name=\"migrations\"",
                        "<failure message=\"exit 1 (expected 0): pending: 2\">")
                .endsWith("</testsuite>\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unknown name  | --only,nope     | rollguard: no check named nope in",
        "a tag nobody has | --tag,release   | rollguard: no checks selected in",
        "a bad format     | --format,yaml   | Invalid value for option '--format'"
    })
    void aSelectionThatMakesNoSenseIsAUsageError(String name, String options, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("check", "-c", config.toString()));
        args.addAll(List.of(options.split(",")));

        assertThat(run(args.toArray(new String[0]))).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void aBadConfigurationIsAUsageError() throws IOException {
        Files.writeString(config, "[[check]]\nname = \"x\"\n");

        assertThat(run("check", "-c", config.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(config + ":1:1: check \"x\": missing required key \"type\"\n1 problem\n");
    }

    @ParameterizedTest(name = "terminal={0} NO_COLOR={1} -> {2}")
    @CsvSource({"true, , true", "true, 1, false", "true, '', true", "false, , false"})
    void coloursOnlyOnATerminalWithoutNoColor(boolean terminal, String noColor, boolean colour) {
        assertThat(CheckCommand.colour(terminal, noColor)).isEqualTo(colour);
    }
}
