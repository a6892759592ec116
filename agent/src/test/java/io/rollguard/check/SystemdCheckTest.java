package io.rollguard.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.check.SystemdCheckSpec;
import io.rollguard.config.check.SystemdCheckSpec.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against a fake {@code systemctl}, a shell script first on the search path that answers as told and writes down its
 * arguments; and against this host's own, which in a container without systemd cannot answer at all.
 */
class SystemdCheckTest {
    private static final String UNIT = "backend.service";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Set<Expectation> BOTH = Set.of(Expectation.ACTIVE, Expectation.ENABLED);
    private static final Set<Expectation> ACTIVE = Set.of(Expectation.ACTIVE);
    private static final Set<Expectation> ENABLED = Set.of(Expectation.ENABLED);

    @TempDir
    Path bin;

    /** How the fake answers one verb: its stdout, its stderr and its exit status. */
    record Answer(String out, String err, int exit) {
        static Answer says(String state, int exit) {
            return new Answer(state, "", exit);
        }

        static Answer complains(String message) {
            return new Answer("", message, 1);
        }
    }

    static Stream<Arguments> answers() {
        Answer active = Answer.says("active", 0);
        Answer enabled = Answer.says("enabled", 0);
        return Stream.of(
                arguments("active and enabled", BOTH, active, enabled, true, UNIT + " is active and enabled"),
                arguments("active", ACTIVE, active, enabled, true, UNIT + " is active"),
                arguments("reloading is running", ACTIVE, Answer.says("reloading", 0), enabled, true,
                        UNIT + " is reloading"),
                arguments("enabled", ENABLED, Answer.says("inactive", 3), enabled, true, UNIT + " is enabled"),
                arguments("inactive", ACTIVE, Answer.says("inactive", 3), enabled, false,
                        UNIT + " is inactive (expected active)"),
                arguments("failed", BOTH, Answer.says("failed", 3), enabled, false,
                        UNIT + " is failed (expected active)"),
                arguments("activating is not active yet", ACTIVE, Answer.says("activating", 3), enabled, false,
                        UNIT + " is activating (expected active)"),
                arguments("disabled", BOTH, active, Answer.says("disabled", 1), false,
                        UNIT + " is disabled (expected enabled)"),
                arguments("static does not start at boot by itself", ENABLED, active, Answer.says("static", 0), false,
                        UNIT + " is static (expected enabled)"),
                arguments("enabled until the next reboot only", ENABLED, active, Answer.says("enabled-runtime", 0),
                        false, UNIT + " is enabled-runtime (expected enabled)"),
                arguments("neither", BOTH, Answer.says("inactive", 3), Answer.says("disabled", 1), false,
                        UNIT + " is inactive (expected active); " + UNIT + " is disabled (expected enabled)"),
                arguments("no systemd to ask", BOTH,
                        Answer.complains("System has not been booted with systemd as init system (PID 1). Can't operate."
                                + "\nFailed to connect to bus: Host is down"), enabled, false,
                        "cannot check unit " + UNIT + ": System has not been booted with systemd as init system "
                                + "(PID 1). Can't operate."),
                arguments("an unknown unit file", ENABLED, active,
                        Answer.complains("Failed to get unit file state for " + UNIT + ": No such file or directory"),
                        false, "cannot check unit " + UNIT + ": Failed to get unit file state for " + UNIT
                                + ": No such file or directory"),
                arguments("silence", ACTIVE, new Answer("", "", 1), enabled, false,
                        "cannot check unit " + UNIT + ": systemctl is-active exited with 1 and printed no state"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesWhatSystemctlAnswers(String name, Set<Expectation> expect, Answer isActive, Answer isEnabled,
            boolean ok, String message) throws IOException, InterruptedException {
        fakeSystemctl(isActive, isEnabled);
        SystemdCheck check = new SystemdCheck(new SystemdCheckSpec(UNIT, expect), TIMEOUT, "systemctl",
                bin.resolve("empty") + ":" + bin);

        CheckResult result = check.run();

        assertThat(result.message()).isEqualTo(message);
        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isNaN();
    }

    @Test
    void passesTheUnitAfterDoubleDashSoThatANameStartingWithADashIsNoOption() throws IOException, InterruptedException {
        fakeSystemctl(Answer.says("active", 0), Answer.says("enabled", 0));
        SystemdCheck check = new SystemdCheck(new SystemdCheckSpec("-.mount", BOTH), TIMEOUT,
                bin.resolve("systemctl").toString(), "");

        assertThat(check.run().ok()).isTrue();
        assertThat(Files.readAllLines(bin.resolve("argv"))).containsExactly(
                "is-active", "--", "-.mount",
                "is-enabled", "--", "-.mount");
    }

    @Test
    void asksOnlyWhatIsExpected() throws IOException, InterruptedException {
        fakeSystemctl(Answer.says("active", 0), Answer.says("enabled", 0));
        SystemdCheck check = new SystemdCheck(new SystemdCheckSpec(UNIT, ACTIVE), TIMEOUT, "systemctl", bin.toString());

        check.run();

        assertThat(Files.readAllLines(bin.resolve("argv"))).containsExactly("is-active", "--", UNIT);
    }

    @Test
    void withoutSystemctlFailsSayingSo() throws IOException, InterruptedException {
        Path empty = Files.createDirectory(bin.resolve("empty"));
        SystemdCheck check = new SystemdCheck(new SystemdCheckSpec(UNIT, BOTH), TIMEOUT, "systemctl",
                empty + "::" + bin.resolve("missing"));

        CheckResult result = check.run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("systemctl not found: cannot check unit " + UNIT);
    }

    @Test
    void aSystemctlThatHangsIsStoppedAtTheTimeout() throws IOException, InterruptedException {
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\nexec sleep 60\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwx------"));
        SystemdCheck check = new SystemdCheck(new SystemdCheckSpec(UNIT, BOTH), Duration.ofMillis(300),
                systemctl.toString(), "");

        CheckResult result = check.run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("systemctl is-active " + UNIT + " did not finish within 300 ms; "
                + "stopped it");
    }

    /**
     * This host's systemctl, if any: in a container without systemd as PID 1 it is either missing or cannot reach
     * systemd, and both must read as "cannot check", never as a unit that is down.
     */
    @Test
    void onThisHostWithoutSystemdTheCheckSaysItCannotCheck() throws IOException, InterruptedException {
        boolean systemdRuns = Files.isDirectory(Path.of("/run/systemd/system"));
        CheckResult result = SystemdCheck.forHost(new SystemdCheckSpec(UNIT, BOTH), TIMEOUT).run();

        if (systemdRuns) {
            assertThat(result.message()).contains(UNIT);
        } else {
            assertThat(result.ok()).isFalse();
            assertThat(result.message()).matches("systemctl not found: cannot check unit " + UNIT
                    + "|cannot check unit " + UNIT + ": .+");
        }
    }

    /** A systemctl that answers each verb as told and appends its arguments, one a line, to "argv" beside it. */
    private void fakeSystemctl(Answer isActive, Answer isEnabled) throws IOException {
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\n"
                + "printf '%s\\n' \"$@\" >> '" + bin.resolve("argv") + "'\n"
                + "case \"$1\" in\n"
                + "is-active) " + answer(isActive) + " ;;\n"
                + "is-enabled) " + answer(isEnabled) + " ;;\n"
                + "*) echo \"unexpected: $*\" >&2; exit 64 ;;\n"
                + "esac\n", UTF_8);
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwx------"));
    }

    private static String answer(Answer answer) {
        StringBuilder script = new StringBuilder();
        for (String line : answer.out().isEmpty() ? List.<String>of() : List.of(answer.out().split("\n"))) {
            script.append("echo '").append(line).append("'; ");
        }
        for (String line : answer.err().isEmpty() ? List.<String>of() : List.of(answer.err().split("\n"))) {
            script.append("echo '").append(line.replace("'", "'\\''")).append("' >&2; ");
        }
        return script.append("exit ").append(answer.exit()).toString();
    }
}
