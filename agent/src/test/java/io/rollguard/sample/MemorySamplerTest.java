package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.store.SeriesWriter;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import oshi.SystemInfo;

class MemorySamplerTest {
    private static final long GIB = 1L << 30;

    private static Map<String, Double> sample(MemorySampler.Reading reading) {
        SeriesWriter out = new SeriesWriter();
        new MemorySampler(() -> reading).sample(out);
        return WrittenSeries.of(out);
    }

    static Stream<Arguments> readings() {
        return Stream.of(
                arguments("a quarter of memory and half of swap used", new MemorySampler.Reading(
                        8 * GIB, 6 * GIB, 2 * GIB, GIB), Map.of(
                        "rollguard_memory_total_bytes", 8.0 * GIB,
                        "rollguard_memory_available_bytes", 6.0 * GIB,
                        "rollguard_memory_used_ratio", 0.25,
                        "rollguard_swap_total_bytes", 2.0 * GIB,
                        "rollguard_swap_used_bytes", 1.0 * GIB,
                        "rollguard_swap_used_ratio", 0.5)),
                arguments("no swap: its ratio is absent, not 0", new MemorySampler.Reading(
                        8 * GIB, 2 * GIB, 0, 0), Map.of(
                        "rollguard_memory_total_bytes", 8.0 * GIB,
                        "rollguard_memory_available_bytes", 2.0 * GIB,
                        "rollguard_memory_used_ratio", 0.75,
                        "rollguard_swap_total_bytes", 0.0,
                        "rollguard_swap_used_bytes", 0.0)),
                arguments("unreadable memory total: no ratio", new MemorySampler.Reading(0, 0, GIB, 0), Map.of(
                        "rollguard_memory_total_bytes", 0.0,
                        "rollguard_memory_available_bytes", 0.0,
                        "rollguard_swap_total_bytes", 1.0 * GIB,
                        "rollguard_swap_used_bytes", 0.0,
                        "rollguard_swap_used_ratio", 0.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readings")
    void writesMemoryAndSwap(String name, MemorySampler.Reading reading, Map<String, Double> expected) {
        assertThat(sample(reading)).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void readsTheRealHost() {
        SeriesWriter out = new SeriesWriter();

        new MemorySampler(new SystemInfo().getHardware().getMemory()).sample(out);

        Map<String, Double> series = WrittenSeries.of(out);
        assertThat(series.get("rollguard_memory_total_bytes")).isGreaterThan(64.0 * (1 << 20));
        assertThat(series.get("rollguard_memory_available_bytes"))
                .isBetween(0.0, series.get("rollguard_memory_total_bytes"));
        assertThat(series.get("rollguard_memory_used_ratio")).isBetween(0.0, 1.0);
        assertThat(series.get("rollguard_swap_total_bytes")).isGreaterThanOrEqualTo(0.0);
        assertThat(series.get("rollguard_swap_used_bytes")).isBetween(0.0, series.get("rollguard_swap_total_bytes"));
        if (series.get("rollguard_swap_total_bytes") > 0) {
            assertThat(series.get("rollguard_swap_used_ratio")).isBetween(0.0, 1.0);
        } else {
            assertThat(series).doesNotContainKey("rollguard_swap_used_ratio");
        }
    }
}
