package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.store.SeriesWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import oshi.SystemInfo;

class CpuSamplerTest {
    // Tick arrays are in OSHI's order: user, nice, system, idle, iowait, irq, softirq, steal.
    private static final long[] BOOT = {100, 0, 50, 800, 50, 0, 0, 0};
    private static final double[] LOADS = {0.5, 0.25, 0.125};

    /** Hands out the readings it was given, one per call, as the kernel's counters would advance. */
    private static final class TickSequence {
        private final Deque<long[]> readings;

        TickSequence(List<long[]> readings) {
            this.readings = new ArrayDeque<>(readings);
        }

        long[] next() {
            return readings.size() == 1 ? readings.peek() : readings.poll();
        }
    }

    private static CpuSampler sampler(List<long[]> ticks, double[] loads, int physicalCores) {
        TickSequence sequence = new TickSequence(ticks);
        return new CpuSampler(sequence::next, () -> loads, () -> 4, () -> physicalCores);
    }

    private static Map<String, Double> sampleTimes(CpuSampler sampler, int times) {
        SeriesWriter out = new SeriesWriter();
        for (int i = 0; i < times; i++) {
            out = new SeriesWriter();
            sampler.sample(out);
        }
        return WrittenSeries.of(out);
    }

    @Test
    void firstSampleReportsSharesSinceBoot() {
        Map<String, Double> series = sampleTimes(sampler(List.of(BOOT), LOADS, 2), 1);

        assertThat(series).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("rollguard_cpu_usage_ratio", 0.15),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"user\"}", 0.1),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"nice\"}", 0.0),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"system\"}", 0.05),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"idle\"}", 0.8),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"iowait\"}", 0.05),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"irq\"}", 0.0),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"softirq\"}", 0.0),
                Map.entry("rollguard_cpu_mode_ratio{mode=\"steal\"}", 0.0),
                Map.entry("rollguard_cpu_cores", 4.0),
                Map.entry("rollguard_cpu_physical_cores", 2.0),
                Map.entry("rollguard_load1", 0.5),
                Map.entry("rollguard_load5", 0.25),
                Map.entry("rollguard_load15", 0.125)));
    }

    static Stream<Arguments> intervals() {
        return Stream.of(
                arguments("busy in user and steal", new long[] {150, 0, 50, 850, 50, 0, 0, 100},
                        0.75, Map.of("user", 0.25, "idle", 0.25, "steal", 0.5, "system", 0.0)),
                arguments("all idle", new long[] {100, 0, 50, 900, 50, 0, 0, 0},
                        0.0, Map.of("idle", 1.0, "user", 0.0)),
                arguments("iowait counts as not busy", new long[] {100, 0, 50, 850, 100, 0, 0, 0},
                        0.0, Map.of("idle", 0.5, "iowait", 0.5)),
                arguments("nice, irq and softirq are busy", new long[] {100, 10, 50, 800, 50, 20, 10, 0},
                        1.0, Map.of("nice", 0.25, "irq", 0.5, "softirq", 0.25, "idle", 0.0)),
                arguments("iowait going backwards counts as zero", new long[] {110, 0, 50, 830, 40, 0, 0, 0},
                        0.25, Map.of("user", 0.25, "idle", 0.75, "iowait", 0.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("intervals")
    void sharesComeFromTheTicksBetweenTwoSamples(String name, long[] after, double usage,
            Map<String, Double> modes) {
        Map<String, Double> series = sampleTimes(sampler(List.of(BOOT, after), LOADS, 2), 2);

        assertThat(series.get("rollguard_cpu_usage_ratio")).isCloseTo(usage, within(1e-12));
        modes.forEach((mode, share) -> assertThat(series.get("rollguard_cpu_mode_ratio{mode=\"" + mode + "\"}"))
                .as(mode).isCloseTo(share, within(1e-12)));
        double sum = series.entrySet().stream().filter(e -> e.getKey().startsWith("rollguard_cpu_mode_ratio"))
                .mapToDouble(Map.Entry::getValue).sum();
        assertThat(sum).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void sharesAreLeftOutWhenNoTickElapsed() {
        Map<String, Double> series = sampleTimes(sampler(List.of(BOOT, BOOT), LOADS, 2), 2);

        assertThat(series).doesNotContainKey("rollguard_cpu_usage_ratio")
                .containsKeys("rollguard_cpu_cores", "rollguard_load1")
                .allSatisfy((key, value) -> assertThat(key).doesNotStartWith("rollguard_cpu_mode_ratio"));
    }

    @Test
    void unavailableLoadAveragesAndPhysicalCoresAreLeftOut() {
        Map<String, Double> series = sampleTimes(sampler(List.of(BOOT), new double[] {-1, -1, -1}, 0), 1);

        assertThat(series).doesNotContainKeys("rollguard_load1", "rollguard_load5", "rollguard_load15",
                "rollguard_cpu_physical_cores").containsKey("rollguard_cpu_cores");
    }

    @Test
    void readsTheRealHost() {
        CpuSampler sampler = new CpuSampler(new SystemInfo().getHardware().getProcessor());
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        Map<String, Double> series = WrittenSeries.of(out);
        // Not availableProcessors(): the JVM counts what a cgroup quota allows, OSHI what the host has.
        assertThat(series.get("rollguard_cpu_cores")).isGreaterThanOrEqualTo(1.0);
        assertThat(series.get("rollguard_cpu_physical_cores")).isBetween(1.0, series.get("rollguard_cpu_cores"));
        assertThat(series.get("rollguard_cpu_usage_ratio")).isBetween(0.0, 1.0);
        assertThat(series.get("rollguard_load1")).isGreaterThanOrEqualTo(0.0);
        assertThat(series.get("rollguard_load15")).isGreaterThanOrEqualTo(0.0);
        assertThat(series).containsKeys("rollguard_cpu_mode_ratio{mode=\"idle\"}",
                "rollguard_cpu_mode_ratio{mode=\"steal\"}");
    }
}
