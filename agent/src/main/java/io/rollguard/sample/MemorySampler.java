package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.MetricCatalogue;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.function.Supplier;
import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

/**
 * Physical memory and swap as {@code free} shows them; "available" is the kernel's estimate (MemAvailable), not
 * MemFree.
 */
final class MemorySampler implements Sampler {
    static final MetricFamily TOTAL = MetricFamily.gauge("rollguard_memory_total_bytes", "Physical memory of the host.");
    static final MetricFamily AVAILABLE = MetricFamily.gauge("rollguard_memory_available_bytes",
            "Memory available for starting new applications without swapping (MemAvailable).");
    static final MetricFamily USED = MetricFamily.gauge("rollguard_memory_used_ratio",
            "Share of physical memory not available: 1 - available / total.");
    static final MetricFamily SWAP_TOTAL =
            MetricFamily.gauge("rollguard_swap_total_bytes", "Swap space of the host; 0 when it has none.");
    static final MetricFamily SWAP_USED = MetricFamily.gauge("rollguard_swap_used_bytes", "Swap space in use.");
    static final MetricFamily SWAP_USED_RATIO = MetricFamily.gauge("rollguard_swap_used_ratio",
            "Share of swap space in use; absent when the host has no swap.");

    /** One reading of the kernel's memory accounting, in bytes. */
    record Reading(long total, long available, long swapTotal, long swapUsed) {}

    private final Supplier<Reading> readings;

    public MemorySampler(GlobalMemory memory) {
        this(reader(memory));
    }

    MemorySampler(Supplier<Reading> readings) {
        this.readings = requireNonNull(readings, "readings");
    }

    private static Supplier<Reading> reader(GlobalMemory memory) {
        VirtualMemory swap = memory.getVirtualMemory();
        return () -> new Reading(memory.getTotal(), memory.getAvailable(), swap.getSwapTotal(), swap.getSwapUsed());
    }

    @Override
    public String name() {
        return MetricCatalogue.MEMORY;
    }

    @Override
    public void sample(SeriesWriter out) {
        write(readings.get(), out);
    }

    static void write(Reading reading, SeriesWriter out) {
        out.put(TOTAL, reading.total());
        out.put(AVAILABLE, reading.available());
        if (reading.total() > 0) {
            out.put(USED, 1.0 - (double) reading.available() / reading.total());
        }
        out.put(SWAP_TOTAL, reading.swapTotal());
        out.put(SWAP_USED, reading.swapUsed());
        // A host without swap has no share of it in use; 0 would read as "plenty left" to a rule.
        if (reading.swapTotal() > 0) {
            out.put(SWAP_USED_RATIO, (double) reading.swapUsed() / reading.swapTotal());
        }
    }
}
