package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.process.ProcessSelector.CommandLinePattern;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.config.check.ProcessCheckSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real child process, a copy of sleep under a name no other process has. */
class ProcessCheckTest {
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null) {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private ProcessCheckSpec spec(String marker, int minCount, long maxRss) {
        return new ProcessCheckSpec(new ProcessSettings("backend",
                new CommandLinePattern(Pattern.compile(Pattern.quote(marker) + " 300"))), minCount, maxRss);
    }

    private String startMarker() throws IOException {
        String marker = "marker-" + UUID.randomUUID();
        Path executable = Files.copy(Path.of("/bin/sleep"), dir.resolve(marker), StandardCopyOption.COPY_ATTRIBUTES);
        child = new ProcessBuilder(executable.toString(), "300").start();
        return marker;
    }

    @Test
    void aRunningProcessPassesWithItsCountAndMemory() throws IOException {
        String marker = startMarker();

        CheckResult result = new ProcessCheck(spec(marker, 1, 1L << 30)).run();

        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.message()).matches("backend: 1 process, [0-9.]+ (KiB|MiB) resident");
        assertThat(result.value()).isEqualTo(1.0);
    }

    @Test
    void tooFewOrTooBigFails() throws IOException {
        String marker = startMarker();

        CheckResult result = new ProcessCheck(spec(marker, 2, 1)).run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).matches("backend: 1 running, needs 2; backend: [0-9.]+ (KiB|MiB) resident \\(max 1 B\\)");
    }

    @Test
    void aProcessThatIsNotRunningFails() throws IOException {
        CheckResult result = new ProcessCheck(spec("marker-" + UUID.randomUUID(), 1, -1)).run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("backend: not running");
        assertThat(result.value()).isEqualTo(0.0);
    }
}
