package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.config.ConfigLoader;
import io.rollguard.config.process.ProcessSelector.CommandLinePattern;
import io.rollguard.config.process.ProcessSelector.PidFile;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/** The sampler on the real /proc, watching a child process this test starts and stops. */
@EnabledOnOs(OS.LINUX)
class ProcessSamplerHostTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path temporary;

    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void seesAChildComeAndGoByCommandLineAndByPidfile() throws Exception {
        // A copy of sleep under a unique name: no other process on the host can match it.
        String marker = "marker-" + UUID.randomUUID();
        Path executable = Files.copy(Path.of("/bin/sleep"), temporary.resolve(marker),
                StandardCopyOption.COPY_ATTRIBUTES);
        child = new ProcessBuilder(executable.toString(), "300").start();
        Path pidFile = Files.writeString(temporary.resolve("child.pid"), child.pid() + "\n");
        ProcessSampler sampler = new ProcessSampler(Path.of("/proc"), Path.of("/sys/fs/cgroup"), List.of(
                new ProcessSettings("by-command-line", new CommandLinePattern(Pattern.compile(Pattern.quote(marker)
                        + " 300$"))),
                new ProcessSettings("by-pidfile", new PidFile(pidFile))), System::nanoTime);

        await().atMost(PATIENCE).untilAsserted(() -> {
            SeriesWriter out = sample(sampler);
            for (String process : List.of("by-command-line", "by-pidfile")) {
                assertThat(value(out, WatchedProcess.UP, process)).as(process).isEqualTo(1.0);
                assertThat(value(out, WatchedProcess.COUNT, process)).as(process).isEqualTo(1.0);
                assertThat(value(out, WatchedProcess.RESIDENT_MEMORY, process)).as(process).isPositive();
                assertThat(value(out, WatchedProcess.THREADS, process)).as(process).isEqualTo(1.0);
                assertThat(value(out, WatchedProcess.OPEN_FILES, process)).as(process).isGreaterThanOrEqualTo(3.0);
                assertThat(value(out, WatchedProcess.START_TIME, process)).as(process)
                        .isGreaterThanOrEqualTo(value(out, ProcessSampler.BOOT_TIME, null));
            }
            assertThat(value(out, ProcessSampler.PROCESSES, null)).isGreaterThanOrEqualTo(2.0);
            assertThat(value(out, ProcessSampler.UPTIME, null)).isPositive();
        });

        child.destroy();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child stops on SIGTERM").isTrue();

        SeriesWriter after = sample(sampler);
        assertThat(value(after, WatchedProcess.UP, "by-command-line")).isEqualTo(0.0);
        assertThat(value(after, WatchedProcess.UP, "by-pidfile")).isEqualTo(0.0);
        assertThat(value(after, WatchedProcess.RESTARTS, "by-pidfile")).isEqualTo(0.0);
    }

    @Test
    void theHostSamplersIncludeIt() throws Exception {
        List<Sampler> samplers = HostSamplers.create(new SystemInfo(), ConfigLoader.loadDefault());

        assertThat(samplers).extracting(Sampler::name).contains("processes");
    }

    private static SeriesWriter sample(ProcessSampler sampler) throws IOException {
        SeriesWriter out = new SeriesWriter();
        sampler.sample(out);
        return out;
    }

    private static Double value(SeriesWriter out, MetricFamily family, String process) {
        LabelSet labels = process == null ? LabelSet.EMPTY : LabelSet.of("process", process);
        return out.values().get(new SeriesKey(family, labels));
    }
}
