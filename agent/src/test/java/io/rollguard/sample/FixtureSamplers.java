package io.rollguard.sample;

import io.rollguard.config.FilesystemFilter;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every host sampler, reading the captured fixture tree under {@code src/test/resources/fixtures} (and fixed
 * readings where OSHI reads the host), so that what they write is the same on every machine: the input of the
 * golden files of host families and of the whole {@code /metrics}.
 */
public final class FixtureSamplers {
    private static final Path PROC = Fixtures.path("/fixtures/proc");

    private FixtureSamplers() {}

    /** Each sampler, in the order they run; the process sampler has sampled once, five seconds before. */
    public static List<Sampler> all() throws IOException {
        return List.of(
                new CpuSampler(advancingCpuTicks(), () -> new double[] {1, 1, 1}, () -> 4, () -> 2),
                new MemorySampler(() -> new MemorySampler.Reading(8L << 30, 4L << 30, 2L << 30, 1L << 30)),
                new FilesystemSampler(PROC, FilesystemFilter.DEFAULT,
                        mountPoint -> Optional.of(new FilesystemSampler.Space(100, 50, 40, 1000, 500))),
                new DiskSampler(PROC),
                new NetworkSampler(PROC),
                new SharedMemorySampler(PROC, Fixtures.path("/fixtures/etc"), Fixtures.path("/fixtures/etc")),
                new PortSampler(PROC, java.nio.ByteOrder.LITTLE_ENDIAN),
                processes());
    }

    /** CPU ticks per mode that grow by the same step at each reading: 25% busy (user, system, iowait apart). */
    private static java.util.function.Supplier<long[]> advancingCpuTicks() {
        long[] ticks = {100, 0, 50, 800, 50, 0, 0, 0};
        long[] step = {15, 0, 5, 70, 10, 0, 0, 0};
        return () -> {
            long[] reading = ticks.clone();
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] += step[i];
            }
            return reading;
        };
    }

    private static ProcessSampler processes() throws IOException {
        long[] nanos = {0};
        ProcessSampler sampler = new ProcessSampler(Fixtures.path("/fixtures/proc/processes"),
                Fixtures.path("/fixtures/cgroup/v2"), List.of(new ProcessSettings("backend",
                        new ProcessSelector.CommandLinePattern(Pattern.compile("src\\.main")))),
                () -> nanos[0] += 5_000_000_000L);
        sampler.sample(new SeriesWriter());
        return sampler;
    }
}
