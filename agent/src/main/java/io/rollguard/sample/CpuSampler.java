package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/**
 * CPU usage from the kernel's cumulative tick counters: the share of time not idle between two samples, across all
 * logical CPUs. The first sample has no predecessor, so it reports usage since boot, as {@code top} does.
 */
public final class CpuSampler implements Sampler {
    static final MetricFamily USAGE = MetricFamily.gauge("rollguard_cpu_usage_ratio",
            "Share of CPU time spent not idle (nor waiting for I/O) across all logical CPUs since the previous sample.");
    static final MetricFamily CORES = MetricFamily.gauge("rollguard_cpu_cores", "Logical CPUs of the host.");

    private final Supplier<long[]> ticks;
    private final IntSupplier logicalCores;
    private long[] previous = new long[TickType.values().length];

    public CpuSampler(CentralProcessor processor) {
        this(processor::getSystemCpuLoadTicks, processor::getLogicalProcessorCount);
    }

    CpuSampler(Supplier<long[]> ticks, IntSupplier logicalCores) {
        this.ticks = requireNonNull(ticks, "ticks");
        this.logicalCores = requireNonNull(logicalCores, "logicalCores");
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void sample(SeriesWriter out) {
        long[] current = ticks.get();
        out.put(USAGE, usage(previous, current));
        out.put(CORES, logicalCores.getAsInt());
        previous = current;
    }

    /** The busy share between two tick readings; NaN when no tick elapsed (the series is then left out). */
    static double usage(long[] before, long[] after) {
        long total = 0;
        for (TickType type : TickType.values()) {
            total += after[type.getIndex()] - before[type.getIndex()];
        }
        long idle = after[TickType.IDLE.getIndex()] - before[TickType.IDLE.getIndex()]
                + after[TickType.IOWAIT.getIndex()] - before[TickType.IOWAIT.getIndex()];
        if (total <= 0) {
            return Double.NaN;
        }
        return Math.min(1.0, Math.max(0.0, (double) (total - idle) / total));
    }
}
