package io.rollguard.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemd/rollguard.service} as systemd reads it. {@code systemd-analyze verify} works without systemd as PID 1
 * (it loads the unit offline); it exits 0 even for an unknown key or a bad value, so its whole output must be empty.
 */
class UnitFileTest {
    private static final Path UNIT = Path.of("..", "systemd", "rollguard.service");
    private static final Path LAUNCHER = Path.of("..", "scripts", "rollguard");
    private static final Path DROP_IN = Path.of("..", "systemd", "host-tmp.conf");

    @Test
    void systemdAnalyzeVerifiesTheUnitWithoutAWord(@TempDir Path dir) throws Exception {
        Path unit = installedCopy(dir);

        Result verify = run("systemd-analyze", "verify", unit.toString());

        Assumptions.assumeFalse(needsRunningSystemd(verify), () -> "systemd-analyze verify cannot run without systemd "
                + "as PID 1 on this host: skipped (" + verify.output().strip() + ")");

        assertThat(verify.output()).as("systemd-analyze verify").isEmpty();
        assertThat(verify.exitCode()).isZero();
    }

    @Test
    void theHostTmpDropInVerifiesWithTheUnitAndOnlyGivesBackTheHostsTmp(@TempDir Path dir) throws Exception {
        List<String> dropIn = Files.readAllLines(DROP_IN).stream().filter(line -> !line.startsWith("#")
                && !line.isBlank()).toList();
        assertThat(dropIn).containsExactly("[Service]", "PrivateTmp=no");
        Path unit = installedCopy(dir);
        Files.createDirectories(dir.resolve("rollguard.service.d"));
        Files.copy(DROP_IN, dir.resolve("rollguard.service.d/host-tmp.conf"));

        Result verify = run("systemd-analyze", "verify", unit.toString());

        Assumptions.assumeFalse(needsRunningSystemd(verify), () -> "systemd-analyze verify cannot run without systemd "
                + "as PID 1 on this host: skipped (" + verify.output().strip() + ")");
        assertThat(verify.output()).as("systemd-analyze verify").isEmpty();
        assertThat(verify.exitCode()).isZero();
        Result security = run("systemd-analyze", "security", "--offline=yes", unit.toString());
        Assumptions.assumeTrue(security.output().contains("Overall exposure level"),
                "systemd-analyze security --offline needs systemd 252 or later: skipped");
        assertThat(security.output()).as("the drop-in applies, and only it").contains("✗ PrivateTmp=")
                .containsPattern("Overall exposure level for rollguard.service: [0-9.]+ (OK|SAFE|PERFECT)");
    }

    @Test
    void theUnitIsExposedAtMostOk(@TempDir Path dir) throws Exception {
        Path unit = installedCopy(dir);

        Result security = run("systemd-analyze", "security", "--offline=yes", unit.toString());

        Assumptions.assumeTrue(security.exitCode() == 0 || security.output().contains("Overall exposure level"),
                () -> "systemd-analyze security --offline needs systemd 252 or later: skipped (" + security.output()
                        .strip().lines().findFirst().orElse("") + ")");
        assertThat(security.output()).containsPattern("Overall exposure level for rollguard.service: [0-9.]+ (OK|SAFE|PERFECT)");
    }

    @Test
    void reloadSendsSighupToTheMainProcessAndTheSandboxIsAsDocumented() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);

        assertThat(lines).as("the agent reloads on SIGHUP").contains("ExecReload=/bin/kill -HUP $MAINPID");
        assertThat(lines).contains("Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "NoNewPrivileges=yes",
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK", "MemoryDenyWriteExecute=no");
    }

    /**
     * The unit with its ExecStart= pointing at this checkout's launcher: verify insists that the binary exists, and
     * /usr/bin/rollguard exists only once installed.
     */
    private static Path installedCopy(Path dir) throws IOException {
        Assumptions.assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed on this host: skipped");
        String text = Files.readString(UNIT).replace("/usr/bin/rollguard", LAUNCHER.toAbsolutePath().normalize().toString());
        return Files.writeString(dir.resolve("rollguard.service"), text);
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** Older systemd-analyze versions ask the running manager; in a container there is none. */
    private static boolean needsRunningSystemd(Result result) {
        return result.output().contains("has not been booted with systemd") || result.output().contains("Failed to connect to bus");
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }
}
