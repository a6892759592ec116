package io.rollguard.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real programs: the host's setsid, and a launcher without one. */
class ProgramLauncherTest {
    @TempDir
    Path dir;

    static Stream<Arguments> statLines() {
        return Stream.of(
                Arguments.arguments("a shell", "4242 (sh) S 4200 4242 4242 0 -1 4194560 120 0", OptionalLong.of(4242)),
                Arguments.arguments("a name with spaces and a parenthesis",
                        "77 (my (odd) prog) R 1 70 70 0 -1 4194304 1 0", OptionalLong.of(70)),
                Arguments.arguments("cut short", "77 (sleep) S 1", OptionalLong.empty()),
                Arguments.arguments("no name", "77 sleep S 1 70", OptionalLong.empty()),
                Arguments.arguments("not a number", "77 (sleep) S 1 x 70", OptionalLong.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statLines")
    void theProcessGroupIsTheFifthFieldOfStat(String name, String stat, OptionalLong group) {
        assertThat(ProgramLauncher.groupOf(stat)).isEqualTo(group);
    }

    @Test
    void setsidIsFoundOnTheSearchPathSkippingEmptyEntries() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path setsid = Files.writeString(bin.resolve("setsid"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(setsid, PosixFilePermissions.fromString("rwx------"));

        assertThat(ProgramLauncher.find("::" + dir.resolve("empty") + ":" + bin)).contains(setsid);
        assertThat(ProgramLauncher.find(":" + dir.resolve("empty"))).isEmpty();
    }

    @Test
    void aProgramStartsInASessionOfItsOwn() throws Exception {
        ProgramLauncher launcher = ProgramLauncher.forHost();
        Assumptions.assumeTrue(launcher.setsid().isPresent(), "setsid (util-linux) is not installed: skipped");

        String[] ids = idsOf(launcher);

        assertThat(ids[1]).as("process group").isEqualTo(ids[0]);
        assertThat(ids[2]).as("session").isEqualTo(ids[0]);
    }

    /** The documented fallback: without setsid, a program runs as before, in the agent's session. */
    @Test
    void withoutSetsidAProgramRunsInTheAgentsSession() throws Exception {
        ProgramLauncher launcher = new ProgramLauncher(null, Path.of("/proc"));

        String[] ids = idsOf(launcher);

        String own = Files.readString(Path.of("/proc/self/stat"));
        assertThat(OptionalLong.of(Long.parseLong(ids[1]))).isEqualTo(ProgramLauncher.groupOf(own));
    }

    @Test
    void aMissingProgramFailsToStartAsWithoutSetsid() {
        ProgramLauncher launcher = ProgramLauncher.forHost();
        Assumptions.assumeTrue(launcher.setsid().isPresent(), "setsid (util-linux) is not installed: skipped");

        assertThatThrownBy(() -> launcher.start(new ProcessBuilder(dir.resolve("missing").toString())))
                .isInstanceOf(IOException.class).hasMessageEndingWith("error=2, No such file or directory");
        assertThatThrownBy(() -> launcher.start(new ProcessBuilder(Files.writeString(dir.resolve("plain"), "")
                .toString()))).isInstanceOf(IOException.class).hasMessageEndingWith("error=13, Permission denied");
    }

    @Test
    void stopEndsTheGroupEvenWhatLeftTheTree() throws Exception {
        ProgramLauncher launcher = ProgramLauncher.forHost();
        Assumptions.assumeTrue(launcher.setsid().isPresent(), "setsid (util-linux) is not installed: skipped");
        Path pid = dir.resolve("orphan.pid");
        Path ready = dir.resolve("ready");
        Process process = launcher.start(new ProcessBuilder("sh", "-c",
                "trap '' TERM; (trap '' TERM; sleep 300 & echo $! > " + pid + "); touch " + ready + "; sleep 300"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
        long orphan = Long.parseLong(Files.readString(pid).strip());

        launcher.stop(process, Duration.ofMillis(200));

        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(orphan).map(h -> !h.isAlive()).orElse(true));
    }

    private String[] idsOf(ProgramLauncher launcher) throws Exception {
        Path ids = dir.resolve("ids");
        Process process = launcher.start(new ProcessBuilder(List.of("sh", "-c",
                "echo $$ $(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f3,4) > " + ids)));
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Files.readString(ids, StandardCharsets.UTF_8).strip().split(" ");
    }
}
