package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.config.check.CommandCheckSpec;
import io.rollguard.config.check.VersionRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real programs and real scripts in a temporary directory. */
class CommandCheckTest {
    @TempDir
    Path dir;

    private Path script(String body) throws IOException {
        Path file = dir.resolve("check.sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static CheckResult run(List<String> argv, int exit, String output, String version, String value,
            Duration timeout) throws IOException, InterruptedException {
        CommandCheckSpec spec = new CommandCheckSpec(argv, exit, output == null ? null : Pattern.compile(output),
                version == null ? null : VersionRequirement.parse(version), value == null ? null : Pattern.compile(value));
        return new CommandCheck(spec, timeout, io.rollguard.process.ProgramLauncher.forHost()).run();
    }

    @Test
    void passesOnTheExpectedExitCodeAndOutput() throws Exception {
        Path check = script("echo 'Python 3.11.4'");

        CheckResult result = run(List.of(check.toString()), 0, "^Python", ">=3.10", null, Duration.ofSeconds(10));

        assertThat(result.ok()).isTrue();
        assertThat(result.message()).isEqualTo("exit 0, version 3.11.4 (needs >=3.10)");
    }

    @Test
    void anOldVersionFails() throws Exception {
        Path check = script("echo 'Python 3.9.18' >&2");

        assertThat(run(List.of(check.toString()), 0, null, ">=3.10", null, Duration.ofSeconds(10)).message())
                .isEqualTo("version 3.9.18 (needs >=3.10)");
    }

    @Test
    void aWrongExitCodeQuotesTheLastLineOfOutput() throws Exception {
        Path check = script("echo starting; echo 'database is locked'; exit 3");

        CheckResult result = run(List.of(check.toString()), 0, null, null, null, Duration.ofSeconds(10));

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("exit 3 (expected 0): database is locked");
    }

    @Test
    void theValueComesFromTheFirstGroupOfValueRegex() throws Exception {
        Path check = script("echo 'rows: 1234'");

        CheckResult result = run(List.of(check.toString()), 0, null, null, "rows: ([0-9]+)", Duration.ofSeconds(10));

        assertThat(result.value()).isEqualTo(1234.0);
        assertThat(result.message()).isEqualTo("exit 0, value 1234");
    }

    @Test
    void argumentsArePassedAsArgvNeverThroughAShell() throws Exception {
        Path check = script("printf '%s|' \"$@\"");

        CheckResult result = run(List.of(check.toString(), "$(touch " + dir.resolve("pwned") + ")", "a b; c"), 0,
                "^\\$\\(touch .*\\)\\|a b; c\\|$", null, null, Duration.ofSeconds(10));

        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void aMissingProgramSaysSo() throws Exception {
        assertThat(run(List.of("/nonexistent/program"), 0, null, null, null, Duration.ofSeconds(10)).message())
                .isEqualTo("cannot run /nonexistent/program: No such file or directory");
    }

    @Test
    void aCommandThatOverrunsIsStoppedWithTheWholeTreeItStarted() throws Exception {
        Path pids = dir.resolve("pids");
        Path check = script("sleep 300 & echo $! > " + pids + "; wait");

        CheckResult result = run(List.of(check.toString()), 0, null, null, null, Duration.ofSeconds(2));

        assertThat(result.message()).isEqualTo(check + " did not finish within 2.0 s; stopped it");
        long child = Long.parseLong(Files.readString(pids).strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    /** {@code (sleep 300 &)} forks twice: the sleep is no longer a descendant, but it is still in the check's group. */
    @Test
    void aCommandThatOverrunsIsStoppedWithWhatItLeftInItsProcessGroup() throws Exception {
        Path pids = dir.resolve("pids");
        Path check = script("(sleep 300 & echo $! > " + pids + ")\nsleep 300");

        CheckResult result = run(List.of(check.toString()), 0, null, null, null, Duration.ofSeconds(2));

        assertThat(result.message()).isEqualTo(check + " did not finish within 2.0 s; stopped it");
        long orphan = Long.parseLong(Files.readString(pids).strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(orphan).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void onlyTheLastPartOfAHugeOutputIsKept() throws Exception {
        Path check = script("head -c 5000000 /dev/zero | tr '\\\\0' x; echo; echo last-line");

        CheckResult result = run(List.of(check.toString()), 0, "last-line", null, null, Duration.ofSeconds(30));

        assertThat(result.ok()).as(result.message()).isTrue();
    }
}
