package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollguard.config.process.ProcessSelector.CommandLinePattern;
import io.rollguard.config.process.ProcessSelector.PidFile;
import io.rollguard.config.process.ProcessSelector.SystemdUnit;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSamplerTest {
    private static final long FIVE_SECONDS = Duration.ofSeconds(5).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @TempDir
    Path temporary;

    @Test
    void fixtureTreeGivesTheGoldenSeries() throws Exception {
        Path run = fixture("run");
        ProcessSampler sampler = new ProcessSampler(fixture("proc/processes"), fixture("cgroup/v2"), List.of(
                match("backend", "src\\.main"),
                new ProcessSettings("nginx", new PidFile(run.resolve("nginx.pid"))),
                new ProcessSettings("frontend", new SystemdUnit("frontend.service")),
                match("odd", "odd app"),
                match("kthreadd", "^\\[kthreadd\\]$"),
                match("absent", "does-not-run"),
                new ProcessSettings("stale", new PidFile(run.resolve("stale.pid"))),
                new ProcessSettings("filling", new PidFile(run.resolve("empty.pid"))),
                new ProcessSettings("no-pidfile", new PidFile(run.resolve("missing.pid"))),
                new ProcessSettings("stopped", new SystemdUnit("stopped.service")),
                new ProcessSettings("idle", new SystemdUnit("cron.service"))), clock::get);

        assertThat(render(sample(sampler))).isEqualTo(resource("/golden/processes.txt"));
    }

    @Test
    void findsAUnitInTheCgroupV1Layout() throws Exception {
        ProcessSampler sampler = new ProcessSampler(fixture("proc/processes"), fixture("cgroup/v1"),
                List.of(new ProcessSettings("frontend", new SystemdUnit("frontend.service"))), clock::get);

        SeriesWriter out = sample(sampler);

        assertThat(value(out, WatchedProcess.COUNT, "frontend")).isEqualTo(2.0);
        assertThat(value(out, WatchedProcess.RESIDENT_MEMORY, "frontend")).isEqualTo(180_000.0 * 1024);
    }

    @Test
    void cpuUsageFollowsTheSteppedClock() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(812, "python3", "python3 -m src.main", 1_000, 4_242);
        ProcessSampler sampler = sampler(proc, match("backend", "src\\.main"));

        SeriesWriter first = sample(sampler);
        proc.process(812, "python3", "python3 -m src.main", 1_250, 4_242);
        clock.addAndGet(FIVE_SECONDS);
        SeriesWriter second = sample(sampler);

        assertThat(value(first, WatchedProcess.CPU_USAGE, "backend")).isNull();
        assertThat(value(second, WatchedProcess.CPU_USAGE, "backend")).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void aReusedPidIsMatchedAgainstItsNewCommandLine() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(500, "bash", "bash -l", 10, 1_000);
        ProcessSampler sampler = sampler(proc, match("backend", "src\\.main"));
        assertThat(value(sample(sampler), WatchedProcess.UP, "backend")).isEqualTo(0.0);

        // bash exited and, between two samples, the backend started under the same pid.
        proc.process(500, "python3", "python3 -m src.main", 0, 9_000);

        assertThat(value(sample(sampler), WatchedProcess.UP, "backend")).isEqualTo(1.0);
    }

    @Test
    void aLauncherThatExecsIsMatchedOnceItHasExeced() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(500, "run.sh", "/bin/sh /opt/app/run.sh", 10, 1_000);
        ProcessSampler sampler = sampler(proc, match("backend", "python.*src\\.main"));
        assertThat(value(sample(sampler), WatchedProcess.UP, "backend")).isEqualTo(0.0);

        // exec keeps the pid and the start time; the kernel's command name changes.
        proc.process(500, "python3", "python3 -m src.main", 12, 1_000);

        SeriesWriter out = sample(sampler);
        assertThat(value(out, WatchedProcess.UP, "backend")).isEqualTo(1.0);
        assertThat(value(out, WatchedProcess.RESTARTS, "backend")).isEqualTo(0.0);
    }

    @Test
    void aRetitledProcessIsMatchedAgainWithinTheRefreshPeriod() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(500, "postgres", "postgres -D /var/lib/postgresql", 10, 1_000);
        ProcessSampler sampler = sampler(proc, match("checkpointer", "checkpointer"));
        sample(sampler);

        // Nothing in stat changes when a process rewrites its own title: the verdict stands until its refresh.
        proc.retitle(500, "postgres: checkpointer");
        List<Double> up = new ArrayList<>();
        for (int i = 0; i < ProcessSampler.REFRESH_SAMPLES; i++) {
            up.add(value(sample(sampler), WatchedProcess.UP, "checkpointer"));
        }

        assertThat(up.get(0)).as("the cached verdict").isEqualTo(0.0);
        assertThat(up).as("within %d samples", ProcessSampler.REFRESH_SAMPLES).endsWith(1.0);
    }

    @Test
    void aProcessListedButGoneIsSkippedSilently() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(812, "python3", "python3 -m src.main", 10, 4_242);
        Files.createDirectories(temporary.resolve("813")); // listed, then exited before its files were read
        Files.writeString(temporary.resolve("pid"), "813\n");
        ProcessSampler sampler = sampler(proc, match("backend", "src\\.main"),
                new ProcessSettings("worker", new PidFile(temporary.resolve("pid"))));

        SeriesWriter out = sample(sampler);

        assertThat(value(out, ProcessSampler.PROCESSES)).isEqualTo(2.0);
        assertThat(value(out, WatchedProcess.COUNT, "backend")).isEqualTo(1.0);
        assertThat(value(out, WatchedProcess.UP, "worker")).isEqualTo(0.0);
    }

    @Test
    void aZombieIsNotRunning() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(812, "python3", "python3 -m src.main", 10, 4_242);
        Path pidFile = Files.writeString(temporary.resolve("backend.pid"), "812\n");
        ProcessSampler sampler = sampler(proc, new ProcessSettings("backend", new PidFile(pidFile)));
        assertThat(value(sample(sampler), WatchedProcess.UP, "backend")).isEqualTo(1.0);

        proc.becomeZombie(812);

        SeriesWriter out = sample(sampler);
        assertThat(value(out, WatchedProcess.UP, "backend")).isEqualTo(0.0);
        assertThat(value(out, ProcessSampler.PROCESSES)).as("still listed in /proc").isEqualTo(1.0);
    }

    @Test
    void aNewPidInThePidfileIsARestart() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(812, "python3", "python3 -m src.main", 10, 4_242);
        Path pidFile = Files.writeString(temporary.resolve("backend.pid"), "812\n");
        ProcessSampler sampler = sampler(proc, new ProcessSettings("backend", new PidFile(pidFile)));
        sample(sampler);

        proc.exit(812);
        Files.delete(pidFile);
        SeriesWriter stopped = sample(sampler);
        proc.process(990, "python3", "python3 -m src.main", 0, 9_000);
        Files.writeString(pidFile, "990\n");
        SeriesWriter restarted = sample(sampler);

        assertThat(value(stopped, WatchedProcess.UP, "backend")).isEqualTo(0.0);
        assertThat(value(stopped, WatchedProcess.RESTARTS, "backend")).isEqualTo(0.0);
        assertThat(value(restarted, WatchedProcess.UP, "backend")).isEqualTo(1.0);
        assertThat(value(restarted, WatchedProcess.RESTARTS, "backend")).isEqualTo(1.0);
    }

    @Test
    void anEntryThatCannotBeLookedUpIsLeftOutAndTheOthersGoOn() throws Exception {
        FakeProcTree proc = new FakeProcTree(temporary);
        proc.process(812, "python3", "python3 -m src.main", 10, 4_242);
        Path notAFile = Files.createDirectories(temporary.resolve("run"));
        ProcessSampler sampler = sampler(proc, new ProcessSettings("broken", new PidFile(notAFile)),
                match("backend", "src\\.main"));

        SeriesWriter out = sample(sampler);

        assertThat(out.values().keySet()).noneMatch(key -> "broken".equals(key.labels().get("process")));
        assertThat(value(out, WatchedProcess.UP, "backend")).isEqualTo(1.0);
    }

    @Test
    void withoutEntriesOnlyTheHostIsSampled() throws Exception {
        ProcessSampler sampler = new ProcessSampler(fixture("proc/processes"), fixture("cgroup/v2"), List.of(),
                clock::get);

        SeriesWriter out = sample(sampler);

        assertThat(out.values()).containsOnlyKeys(key(ProcessSampler.PROCESSES), key(ProcessSampler.UPTIME),
                key(ProcessSampler.BOOT_TIME));
        assertThat(sampler.name()).isEqualTo("processes");
    }

    private ProcessSampler sampler(FakeProcTree proc, ProcessSettings... processes) {
        return new ProcessSampler(proc.root(), temporary.resolve("cgroup"), List.of(processes), clock::get);
    }

    private static ProcessSettings match(String name, String regex) {
        return new ProcessSettings(name, new CommandLinePattern(Pattern.compile(regex)));
    }

    private static SeriesWriter sample(ProcessSampler sampler) throws IOException {
        SeriesWriter out = new SeriesWriter();
        sampler.sample(out);
        return out;
    }

    /** One line per series, {@code name{labels} value}, sorted, integral values without a fraction. */
    static String render(SeriesWriter out) {
        return out.values().entrySet().stream()
                .map(entry -> entry.getKey() + " " + format(entry.getValue()))
                .sorted()
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String format(double value) {
        boolean integral = value == Math.rint(value) && Math.abs(value) < 1e15;
        return integral ? Long.toString((long) value) : Double.toString(value);
    }

    private static SeriesKey key(MetricFamily family) {
        return new SeriesKey(family, LabelSet.EMPTY);
    }

    private static Double value(SeriesWriter out, MetricFamily family) {
        return out.values().get(key(family));
    }

    private static Double value(SeriesWriter out, MetricFamily family, String process) {
        Map<SeriesKey, Double> values = out.values();
        return values.get(new SeriesKey(family, LabelSet.of("process", process)));
    }

    private static Path fixture(String name) throws URISyntaxException {
        URL url = ProcessSamplerTest.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("no fixture " + name);
        }
        return Path.of(url.toURI());
    }

    private static String resource(String name) throws IOException, URISyntaxException {
        URL url = ProcessSamplerTest.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("no test resource " + name);
        }
        return Files.readString(Path.of(url.toURI()), StandardCharsets.UTF_8);
    }
}
