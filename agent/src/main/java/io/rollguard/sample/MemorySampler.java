package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import oshi.hardware.GlobalMemory;

/** Physical memory as {@code free} shows it; "available" is the kernel's estimate (MemAvailable), not MemFree. */
public final class MemorySampler implements Sampler {
    static final MetricFamily TOTAL = MetricFamily.gauge("rollguard_memory_total_bytes", "Physical memory of the host.");
    static final MetricFamily AVAILABLE = MetricFamily.gauge("rollguard_memory_available_bytes",
            "Memory available for starting new applications without swapping (MemAvailable).");
    static final MetricFamily USED = MetricFamily.gauge("rollguard_memory_used_ratio",
            "Share of physical memory not available: 1 - available / total.");

    private final GlobalMemory memory;

    public MemorySampler(GlobalMemory memory) {
        this.memory = requireNonNull(memory, "memory");
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void sample(SeriesWriter out) {
        write(memory.getTotal(), memory.getAvailable(), out);
    }

    static void write(long total, long available, SeriesWriter out) {
        out.put(TOTAL, total);
        out.put(AVAILABLE, available);
        if (total > 0) {
            out.put(USED, 1.0 - (double) available / total);
        }
    }
}
